using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Cartwise.Stores;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Cli;

public static class StoreCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Build()
    {
        var slug = new Argument<string>("slug") { Description = "Lower-case letters, digits and hyphens" };
        var name = new Option<string?>("--name") { Description = "Display name (default: the slug)" };
        var currency = new Option<string>("--currency") { Description = "ISO 4217 currency of order values", DefaultValueFactory = _ => "EUR" };
        var country = new Option<string?>("--country") { Description = "ISO 3166 country for phone numbers without a country code" };
        var timeZone = new Option<string>("--time-zone") { Description = "IANA time zone for quiet hours and display", DefaultValueFactory = _ => "UTC" };
        var json = new Option<bool>("--json") { Description = "Print {storeId, slug, trackingKey, adminKey} as JSON" };

        var create = new Command("create", "Create a store and print its keys (shown once)") { slug, name, currency, country, timeZone, json };
        create.SetAction(async (result, ct) =>
        {
            await using var db = await CartwiseCli.OpenAsync(result, ct);
            try
            {
                var created = await StoreService.CreateAsync(db, result.GetValue(slug)!, result.GetValue(name), result.GetValue(currency)!.ToUpperInvariant(),
                    result.GetValue(country), result.GetValue(timeZone)!, TimeProvider.System.GetUtcNow(), ct);
                if (result.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(created, Json));
                else
                {
                    Console.WriteLine($"Store '{created.Slug}' created (id {created.StoreId}).");
                    Console.WriteLine($"  tracking key: {created.TrackingKey}   (X-Cartwise-Key header; write-only, safe in the storefront)");
                    Console.WriteLine($"  admin key:    {created.AdminKey}   (Authorization: Bearer …; keep it secret)");
                    Console.WriteLine("The keys are stored hashed and cannot be shown again.");
                }
                return 0;
            }
            catch (ValidationException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message);
                return 2;
            }
        });

        var list = new Command("list", "List the stores") { json };
        list.SetAction(async (result, ct) =>
        {
            await using var db = await CartwiseCli.OpenAsync(result, ct);
            var stores = (await db.Stores.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct)).Select(StoreEndpoints.View).ToList();
            if (result.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(stores, Json));
            else foreach (var s in stores) Console.WriteLine($"{s.Id,5}  {s.Slug,-24} {s.Currency}  {s.TimeZone}  {s.Name}");
            return 0;
        });

        return new Command("store", "Create and list stores") { create, list };
    }
}

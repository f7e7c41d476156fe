using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Cartwise.Importing;
using Cartwise.Orders.Import;
using Cartwise.Tests.Infrastructure;
using Cartwise.Tracking;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Importing;

public sealed class ImportRunTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task EachImport_IsARun_WithWhatItDid_ListedForItsStoreOnly(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", "GBP");
        var other = await app.CreateStoreAsync("other", "GBP");
        await using (var db = app.Db(store))
        {
            var s = await db.Stores.SingleAsync(x => x.Id == store.StoreId);
            await new OrderImporter(app.Database, s, app.Clock).ImportAsync(() => (File.OpenRead(Fixtures.Path("online-retail-mini.csv")), () => 0, null),
                new OrderImportOptions("online-retail", Source: "mini.csv"), CancellationToken.None);
            using var reader = new StreamReader(Fixtures.Path("events.jsonl"));
            await new EventImporter(app.Database, s, app.Clock).ImportAsync(reader, new ImportSource("events.jsonl"), CancellationToken.None);
        }
        using var admin = app.Admin(store);
        var pool = (await (await admin.PostJsonAsync("/api/v1/coupon-pools", """{"name":"spring"}""")).JsonAsync()).GetProperty("id").GetInt64();
        var codes = await admin.PostAsync($"/api/v1/coupon-pools/{pool}/import?header=false", new StringContent("A1\nA2\nA1\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, codes.StatusCode);

        var list = (await admin.GetJsonAsync("/api/v1/imports")).GetProperty("items");

        Assert.Equal([ImportKinds.Coupons, ImportKinds.Events, ImportKinds.Orders], list.EnumerateArray().Select(r => r.GetProperty("kind").GetString()!).ToArray());
        Assert.All(list.EnumerateArray(), r => Assert.Equal(("succeeded", 1.0), (r.GetProperty("status").GetString(), r.GetProperty("done").GetDouble())));
        var (coupons, events, orders) = (list[0], list[1], list[2]);
        Assert.Equal((2, 1), (coupons.GetProperty("summary").GetProperty("added").GetInt32(), coupons.GetProperty("summary").GetProperty("alreadyInPool").GetInt32()));
        Assert.Equal((3L, 3L), (coupons.GetProperty("rows").GetInt64(), coupons.GetProperty("totalRows").GetInt64()));
        Assert.Equal((6L, 2L, 1L, 2L), (events.GetProperty("rows").GetInt64(), events.GetProperty("summary").GetProperty("stored").GetInt64(),
            events.GetProperty("summary").GetProperty("duplicates").GetInt64(), events.GetProperty("summary").GetProperty("rejected").GetInt64()));
        Assert.Equal(("mini.csv", 16L, 6L), (orders.GetProperty("source").GetString(), orders.GetProperty("rows").GetInt64(),
            orders.GetProperty("summary").GetProperty("ordersCreated").GetInt64()));
        var one = await admin.GetJsonAsync($"/api/v1/imports/{orders.GetProperty("id").GetInt64()}");
        Assert.Equal("mini.csv", one.GetProperty("source").GetString());
        Assert.Equal(1, (await admin.GetJsonAsync("/api/v1/imports?kind=orders")).GetProperty("items").GetArrayLength());

        using var otherAdmin = app.Admin(other);
        Assert.Equal(0, (await otherAdmin.GetJsonAsync("/api/v1/imports")).GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await otherAdmin.GetAsync($"/api/v1/imports/{orders.GetProperty("id").GetInt64()}")).StatusCode);
        var bad = await admin.GetAsync("/api/v1/imports?kind=feeds");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'feeds' is not one of orders, events, coupons", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var tracking = app.Tracking(store);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tracking.GetAsync("/api/v1/imports")).StatusCode);
    }

    [Fact]
    public async Task ARunThatStopsCommitting_ReadsAsInterrupted()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        var run = new ImportRunLog(app.Database, store.StoreId, app.Clock);
        await run.StartAsync(ImportKinds.Orders, "big.csv", CancellationToken.None);
        using var admin = app.Admin(store);
        Assert.Equal("running", (await admin.GetJsonAsync($"/api/v1/imports/{run.Id}")).GetProperty("status").GetString());

        app.Clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));

        Assert.Equal("interrupted", (await admin.GetJsonAsync($"/api/v1/imports/{run.Id}")).GetProperty("status").GetString());
    }

    /// <summary>
    /// 30,000 orders of 5 lines, with cancellations, in the UCI Online Retail layout, each invoice's rows together (as an
    /// export writes them).
    /// </summary>
    private static string History()
    {
        var sb = new StringBuilder("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n");
        var start = new DateTime(2011, 1, 3, 9, 0, 0);
        for (var i = 0; i < 30_000; i++)
        {
            var customer = 12000 + i % 1500;
            var at = start.AddMinutes(i * 7).ToString("M/d/yyyy H:mm", CultureInfo.InvariantCulture);
            for (var l = 0; l < 5; l++)
            {
                var product = (i * 31 + l * 7) % 600;
                sb.Append(CultureInfo.InvariantCulture, $"{500000 + i},P{product},PRODUCT {product},{1 + (i + l) % 6},{at},{(1 + product % 40) * 0.85m},{customer},United Kingdom\n");
            }
            if (i % 50 == 49) // the customer cancels part of an earlier order
                sb.Append(CultureInfo.InvariantCulture, $"C{500000 + i},P{((i - 1) * 31) % 600},PRODUCT {((i - 1) * 31) % 600},-1,{at},{(1 + ((i - 1) * 31) % 600 % 40) * 0.85m},{12000 + (i - 1) % 1500},United Kingdom\n");
        }
        return sb.ToString();
    }

    /// <summary>Every row an order import writes, in a form two databases can be compared by.</summary>
    private static async Task<List<string>> ContentAsync(string dir)
    {
        await using var c = new SqliteConnection($"Data Source={Path.Combine(dir, "cartwise.db")};Mode=ReadOnly");
        await c.OpenAsync();
        var rows = new List<string>();
        foreach (var sql in new[]
        {
            """SELECT 'order', "ExternalId", "PlacedAt", "Value", "RefundedValue", (SELECT "ExternalId" FROM "Customers" c WHERE c."Id" = o."CustomerId") FROM "Orders" o""",
            """SELECT 'line', o."ExternalId", l."LineNo", p."ExternalId", l."Quantity", l."Price", l."RefundedQuantity" FROM "OrderLines" l JOIN "Orders" o ON o."Id" = l."OrderId" JOIN "Products" p ON p."Id" = l."ProductId" """,
            """SELECT 'customer', "ExternalId", "Country" FROM "Customers" """,
            """SELECT 'product', "ExternalId", "Name", "Price" FROM "Products" """,
            """SELECT 'event', "EventId", "Name", "OccurredAt", "Value" FROM "Events" """,
        })
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) rows.Add(string.Join('|', Enumerable.Range(0, r.FieldCount).Select(i => Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture))));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    [Fact]
    public async Task AnOrderImportKilledHalfWay_KeepsItsCommits_AndTheSameFileAgain_StoresWhatAnUninterruptedImportStores()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("cartwise-history-").FullName, "history.csv");
        await File.WriteAllTextAsync(file, History());
        var killed = await Cli.ImportCommandTests.StoreDirAsync();

        // The import prints its progress (without a terminal, a line every 2 s from the first chunks on): kill -9 at the first.
        using (var p = Process.Start(CartwiseProcess.StartInfo(killed, ["import", "orders", file, "--store", "shop", "--format", "online-retail"]))!)
        {
            var line = await p.StandardOutput.ReadLineAsync();
            Assert.StartsWith("history.csv: ", line, StringComparison.Ordinal);
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        var (status, committed) = await RunAsync(killed);
        Assert.Equal("running", status); // what the process left: the API reads it as interrupted once it stays so
        var partial = await ContentAsync(killed);
        Assert.InRange(committed, 1, 150_000);
        Assert.NotEmpty(partial);

        var again = await CartwiseProcess.RunAsync(killed, "import", "orders", file, "--store", "shop", "--format", "online-retail");
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Contains("already imported", again.StdOut, StringComparison.Ordinal);
        var whole = await Cli.ImportCommandTests.StoreDirAsync();
        Assert.Equal(0, (await CartwiseProcess.RunAsync(whole, "import", "orders", file, "--store", "shop", "--format", "online-retail")).ExitCode);

        var expected = await ContentAsync(whole);
        Assert.Equal(30_000 * 5 + 600, expected.Count(r => r.StartsWith("line|", StringComparison.Ordinal)) + expected.Count(r => r.StartsWith("product|", StringComparison.Ordinal)));
        Assert.Equal(expected, await ContentAsync(killed));
        Assert.Equal(("succeeded", 150_600L), await RunAsync(killed));
    }

    /// <summary>The status and rows of the newest import run in a directory's database.</summary>
    private static async Task<(string Status, long Rows)> RunAsync(string dir)
    {
        await using var c = new SqliteConnection($"Data Source={Path.Combine(dir, "cartwise.db")};Mode=ReadOnly");
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = """SELECT "Status", "Rows" FROM "ImportRuns" ORDER BY "Id" DESC LIMIT 1""";
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        return (r.GetString(0), r.GetInt64(1));
    }
}

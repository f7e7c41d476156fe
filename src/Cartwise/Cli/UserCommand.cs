using System.CommandLine;
using Cartwise.Users;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Cli;

/// <summary><c>cartwise user create|reset-password</c>: the admin app's users.</summary>
public static class UserCommand
{
    public static Command Build()
    {
        var email = new Argument<string>("email") { Description = "The user's email, used to sign in" };
        var stores = new Option<string[]>("--store") { Description = "A store the user may open (slug); repeat for several", AllowMultipleArgumentsPerToken = true };
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (else it is asked for, or made and printed)" };

        var create = new Command("create", "Create a user of the admin app and grant stores") { email, stores, stdin };
        create.SetAction((result, ct) => SaveAsync(result, result.GetValue(email)!, result.GetValue(stores) ?? [], result.GetValue(stdin), reset: false, ct));
        var reset = new Command("reset-password", "Set a new password for a user (and lift a lock-out)") { email, stores, stdin };
        reset.SetAction((result, ct) => SaveAsync(result, result.GetValue(email)!, result.GetValue(stores) ?? [], result.GetValue(stdin), reset: true, ct));
        return new Command("user", "Users of the admin app") { create, reset };
    }

    private static async Task<int> SaveAsync(ParseResult result, string email, string[] slugs, bool fromStdin, bool reset, CancellationToken ct)
    {
        await using var db = await CartwiseCli.OpenAsync(result, ct);
        var lower = email.Trim().ToLowerInvariant();
        if (!lower.Contains('@', StringComparison.Ordinal)) { await Console.Error.WriteLineAsync($"error: '{email}' is not an email address"); return 2; }
        var exists = await db.Users.AnyAsync(u => u.Email == lower, ct);
        if (reset && !exists) { await Console.Error.WriteLineAsync($"error: no user {lower}"); return 2; }
        if (!reset && exists) { await Console.Error.WriteLineAsync($"error: a user {lower} exists already; use `cartwise user reset-password {lower}`"); return 2; }
        var ids = new List<long>();
        foreach (var slug in slugs)
        {
            var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.Slug == slug, ct);
            if (store is null) { await Console.Error.WriteLineAsync($"error: no store '{slug}' (see `cartwise store list`)"); return 2; }
            ids.Add(store.Id);
        }
        string password;
        var made = false;
        if (fromStdin) password = (await Console.In.ReadLineAsync(ct) ?? "").TrimEnd('\r', '\n');
        else
        {
            password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');
            made = true;
        }
        if (UserService.PasswordProblem(password) is { } problem) { await Console.Error.WriteLineAsync("error: " + problem); return 2; }
        await UserService.SaveAsync(db, lower, password, ids, TimeProvider.System.GetUtcNow(), ct, resetIfExists: reset);
        Console.WriteLine($"{(reset ? "Password set for" : "User created:")} {lower}{(ids.Count > 0 ? $" (stores: {string.Join(", ", slugs)})" : "")}");
        if (made) Console.WriteLine($"  password: {password}   (shown once; sign in at /login)");
        return 0;
    }
}

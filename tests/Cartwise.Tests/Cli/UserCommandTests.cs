using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Cli;

public sealed class UserCommandTests
{
    [Fact]
    public async Task UserCreate_GrantsStores_PrintsAPasswordThatSignsIn_ResetPasswordReplacesIt()
    {
        var dir = Directory.CreateTempSubdirectory("cartwise-cli-").FullName;
        var db = Path.Combine(dir, "shop.db");
        Assert.Equal(0, (await CartwiseProcess.RunAsync(dir, "store", "create", "my-shop", "--db", db)).ExitCode);

        var created = await CartwiseProcess.RunAsync(dir, "user", "create", "Ann@Shop.example", "--store", "my-shop", "--db", db);
        var again = await CartwiseProcess.RunAsync(dir, "user", "create", "ann@shop.example", "--db", db);
        var unknownStore = await CartwiseProcess.RunAsync(dir, "user", "create", "bob@shop.example", "--store", "nope", "--db", db);

        Assert.True(created.ExitCode == 0, created.StdErr);
        var password = created.StdOut.Split("password: ")[1].Split(' ')[0].Trim();
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("exists already", again.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, unknownStore.ExitCode);
        await using var context = Cartwise.Data.DatabaseTarget.Parse(db).CreateContext();
        var now = DateTimeOffset.UnixEpoch.AddYears(57);
        Assert.NotNull((await Cartwise.Users.UserService.SignInAsync(context, "ann@shop.example", password, now, CancellationToken.None)).User);
        Assert.Single(await context.UserStores.ToListAsync());

        var reset = await CartwiseProcess.RunAsync(dir, "user", "reset-password", "ann@shop.example", "--db", db);
        Assert.Equal(0, reset.ExitCode);
        context.ChangeTracker.Clear();
        Assert.Null((await Cartwise.Users.UserService.SignInAsync(context, "ann@shop.example", password, now, CancellationToken.None)).User);
    }
}

using System.CommandLine;
using Cartwise.Hosting;

namespace Cartwise.Cli;

public static class ServeCommand
{
    public static Command Build()
    {
        var demo = new Option<bool>("--demo") { Description = "Create (once) and serve the demo store, with the keys demo-tracking-key and demo-admin-key" };
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen",
            DefaultValueFactory = _ => ServeSettings.DefaultUrls,
        };
        var command = new Command("serve", "Run the Cartwise server (API, tracking, workers)") { demo, urls };
        command.SetAction(async (result, ct) =>
        {
            var target = CartwiseCli.Target(result);
            var app = CartwiseServer.Build(new ServeSettings(target, result.GetValue(urls)!, result.GetValue(demo)));
            await CartwiseServer.PrepareAsync(app, ct);
            await app.StartAsync(ct);
            Console.WriteLine($"Cartwise on {string.Join(", ", app.Urls)} — data in {target.Describe()}");
            await app.WaitForShutdownAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }
}

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
        var smtp = new Option<string?>("--smtp")
        {
            Description = "Default SMTP server for messages: smtp://user:pass@host:port[?tls=auto|none|starttls|ssl] (default $CARTWISE_SMTP, else the file outbox)",
        };
        var outbox = new Option<string?>("--outbox-dir") { Description = "Folder of the file outbox (.eml files); default: 'outbox' beside the SQLite file" };
        var publicUrl = new Option<string?>("--public-url") { Description = "The address links in messages point to (default $CARTWISE_PUBLIC_URL, else the first --urls address)" };
        var traffic = new Option<string>("--demo-traffic") { Description = "With --demo: a light stream of labelled synthetic shop visits (on) or none (off)", DefaultValueFactory = _ => "on" }
            .AcceptOnlyFromAmong("on", "off");
        var command = new Command("serve", "Run the Cartwise server (API, tracking, workers)") { demo, traffic, urls, smtp, outbox, publicUrl };
        command.SetAction(async (result, ct) =>
        {
            var target = CartwiseCli.Target(result);
            var smtpUrl = result.GetValue(smtp) ?? CartwiseConfiguration.Current.Setting("Smtp");
            if (smtpUrl is not null && Messages.SmtpSettings.Parse(smtpUrl, out var error) is null)
            {
                await Console.Error.WriteLineAsync($"--smtp: {error}");
                return 2;
            }
            var link = result.GetValue(publicUrl) ?? CartwiseConfiguration.Current.Setting("PublicUrl");
            var app = CartwiseServer.Build(new ServeSettings(target, result.GetValue(urls)!, result.GetValue(demo), Smtp: smtpUrl, OutboxDirectory: result.GetValue(outbox), PublicUrl: link,
                DemoTraffic: result.GetValue(traffic) == "on"));
            await CartwiseServer.PrepareAsync(app, ct);
            await app.StartAsync(ct);
            var mail = smtpUrl is null ? "file outbox " + app.Services.GetRequiredService<Messages.MailTransports>().OutboxDirectory : Messages.SmtpSettings.Parse(smtpUrl, out _)!.ToString();
            Console.WriteLine($"Cartwise on {string.Join(", ", app.Urls)} — data in {target.Describe()} — mail to {mail}");
            await app.WaitForShutdownAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }
}

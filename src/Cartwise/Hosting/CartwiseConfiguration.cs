using System.Collections;

namespace Cartwise.Hosting;

/// <summary>
/// The one configuration of a Cartwise process: environment variables, bound as ASP.NET Core binds them
/// (<c>Outbox__LeaseSeconds</c> is <c>Outbox:LeaseSeconds</c>), and the short <c>CARTWISE_*</c> names as aliases of
/// the section <c>Cartwise</c> (<c>CARTWISE_PUBLIC_URL</c> is <c>Cartwise:PublicUrl</c>, so <c>Cartwise__PublicUrl</c>
/// works too). The CLI reads it before a server exists; the server adds it to its own configuration.
/// </summary>
public static class CartwiseConfiguration
{
    /// <summary>Every <c>CARTWISE_*</c> variable and the key it stands for.</summary>
    public static IReadOnlyDictionary<string, string> Aliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["CARTWISE_DB"] = "Cartwise:Db",
        ["CARTWISE_SMTP"] = "Cartwise:Smtp",
        ["CARTWISE_PUBLIC_URL"] = "Cartwise:PublicUrl",
        ["CARTWISE_LOG_FORMAT"] = "Cartwise:LogFormat",
        ["CARTWISE_METRICS_KEY"] = "Cartwise:MetricsKey",
        ["CARTWISE_METRICS_URL"] = "Cartwise:MetricsUrl",
        ["CARTWISE_SQLITE_SYNC"] = "Cartwise:SqliteSync",
    };

    /// <summary>The process's configuration, read once.</summary>
    public static IConfiguration Current => _current ??= Build(Environment.GetEnvironmentVariables());

    private static IConfiguration? _current;

    /// <summary>A configuration from these variables (the process's, or a test's).</summary>
    public static IConfiguration Build(IDictionary variables) => new ConfigurationBuilder().AddCartwiseVariables(variables).Build();

    /// <summary>Adds environment variables and the <c>CARTWISE_*</c> aliases (an alias wins over its long form).</summary>
    public static IConfigurationBuilder AddCartwiseVariables(this IConfigurationBuilder builder, IDictionary? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariables();
        var pairs = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in variables)
            if (e.Key is string name && e.Value is string value)
                pairs[name.Replace("__", ":", StringComparison.Ordinal)] = value;
        foreach (var (variable, key) in Aliases)
            if (variables[variable] is string { Length: > 0 } value) pairs[key] = value;
        return builder.AddInMemoryCollection(pairs);
    }

    /// <summary>A setting of the section <c>Cartwise</c> (<c>Db</c>, <c>Smtp</c>…), null when unset or empty.</summary>
    public static string? Setting(this IConfiguration configuration, string key) =>
        configuration["Cartwise:" + key] is { Length: > 0 } value ? value : null;
}

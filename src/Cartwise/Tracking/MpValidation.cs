using System.Text.RegularExpressions;

namespace Cartwise.Tracking;

/// <summary>One finding of the Measurement Protocol validation server, in Google's shape.</summary>
/// <param name="FieldPath">Where, in the body as sent (<c>events[0].params.items[0].item_id</c>, <c>client_id</c>).</param>
/// <param name="ValidationCode"><c>VALUE_REQUIRED</c>, <c>VALUE_INVALID</c>, <c>NAME_INVALID</c> or <c>EXCEEDED_MAX_ENTITIES</c>.</param>
public sealed record MpValidationMessage(string FieldPath, string Description, string ValidationCode);

/// <summary>The answer of <c>/debug/mp/collect</c>: empty when every event would be stored.</summary>
public sealed partial record MpValidation(IReadOnlyList<MpValidationMessage> ValidationMessages)
{
    public const string ValueRequired = "VALUE_REQUIRED";
    public const string ValueInvalid = "VALUE_INVALID";
    public const string NameInvalid = "NAME_INVALID";
    public const string ExceededMaxEntities = "EXCEEDED_MAX_ENTITIES";

    /// <summary>Cartwise's field errors as Google's messages; in a Measurement Protocol body the paths are its own.</summary>
    public static MpValidation From(IEnumerable<KeyValuePair<string, string[]>> errors, bool measurementProtocol) =>
        new(errors.SelectMany(kv => kv.Value.Select(message => new MpValidationMessage(measurementProtocol ? PathOf(kv.Key) : kv.Key, message, CodeOf(kv.Key, message))))
            .ToList());

    [GeneratedRegex(@"^events\[(\d+)\]\.(.+)$")]
    private static partial Regex EventField();

    /// <summary>
    /// A flat event's field as the Measurement Protocol body holds it: the identity comes from the body
    /// (<c>client_id</c>, <c>user_id</c>), the name beside <c>params</c>, everything else inside them.
    /// </summary>
    private static string PathOf(string flat)
    {
        if (EventField().Match(flat) is not { Success: true } m) return flat;
        var field = m.Groups[2].Value;
        return field switch
        {
            "anonymous_id" => "client_id",
            "customer_id" => "user_id",
            "name" or "timestamp_micros" => flat,
            "email" => "user_data.email_address",
            "phone" => "user_data.phone_number",
            _ => $"events[{m.Groups[1].Value}].params.{field}",
        };
    }

    private static string CodeOf(string field, string message) =>
        message.StartsWith("Is required", StringComparison.Ordinal) || message.Contains(" needs ", StringComparison.Ordinal) ? ValueRequired
        : field == "events" && message.Contains("at most", StringComparison.Ordinal) ? ExceededMaxEntities
        : field == "name" || field.EndsWith(".name", StringComparison.Ordinal) ? NameInvalid
        : ValueInvalid;
}

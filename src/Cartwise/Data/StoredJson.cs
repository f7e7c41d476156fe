using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cartwise.Data;

/// <summary>How JSON stored in columns (message variants, scenario definitions) is written and read: web casing, nulls left out.</summary>
public static class StoredJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}

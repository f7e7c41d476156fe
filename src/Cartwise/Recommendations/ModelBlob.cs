using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cartwise.Core.Recommendations;

namespace Cartwise.Recommendations;

/// <summary>
/// The mined part of a <see cref="RecommendationModel"/> as stored in <see cref="MiningRun.Model"/>. The catalogue is
/// not stored: it is read fresh when the model is loaded, so prices and availability are current. Parts added later
/// are optional, so that a model stored before them still loads (without them until the next mining run).
/// </summary>
public sealed record ModelBlob(
    DateTimeOffset BuiltAt,
    int Baskets,
    List<ProductRule> Rules,
    List<ProductRule> CategoryRules,
    Dictionary<long, Neighbour[]> BoughtTogether,
    Dictionary<long, Neighbour[]> ViewedTogether,
    Dictionary<long, Bundle[]> Bundles,
    Dictionary<string, long[]> Bestsellers,
    Dictionary<long, int> OrderCounts,
    Dictionary<long, Core.Mining.NextPurchaseRule[]>? BoughtNext = null,
    Dictionary<long, Reorder>? Reorders = null,
    double ReorderMedianDays = 30,
    Dictionary<long, WeightedProduct[]>? EaseWeights = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Conviction is infinite for rules with confidence 1.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static ModelBlob From(RecommendationModel m) => new(m.BuiltAt, m.Baskets, [.. m.Rules], [.. m.CategoryRules],
        new(m.BoughtTogether), new(m.ViewedTogether), new(m.Bundles), new(m.Bestsellers), new(m.OrderCounts), new(m.BoughtNext),
        new(m.Reorders), m.ReorderMedianDays, new(m.EaseWeights));

    public RecommendationModel ToModel(long storeId, IReadOnlyDictionary<long, ProductInfo> products, IReadOnlyDictionary<long, long?> parents,
        IReadOnlyDictionary<long, string> names, TunedBlend? tunedBlend) => new()
    {
        StoreId = storeId, BuiltAt = BuiltAt, Baskets = Baskets, Products = products, CategoryParents = parents, CategoryNames = names,
        Rules = Rules, CategoryRules = CategoryRules, BoughtTogether = BoughtTogether, ViewedTogether = ViewedTogether, Bundles = Bundles,
        Bestsellers = Bestsellers, OrderCounts = OrderCounts, BoughtNext = BoughtNext ?? [], Reorders = Reorders ?? [], ReorderMedianDays = ReorderMedianDays,
        EaseWeights = EaseWeights ?? [], TunedBlend = tunedBlend,
    };

    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) JsonSerializer.Serialize(gzip, this, Json);
        return buffer.ToArray();
    }

    public static ModelBlob FromBytes(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        return JsonSerializer.Deserialize<ModelBlob>(gzip, Json) ?? throw new InvalidDataException("Empty model.");
    }
}

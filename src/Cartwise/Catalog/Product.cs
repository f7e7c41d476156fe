using Cartwise.Stores;

namespace Cartwise.Catalog;

/// <summary>A product of a store, known by the shop's item id. Never deleted: orders and rules refer to it.</summary>
public sealed class Product : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public required string ExternalId { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? Brand { get; set; }
    public decimal? Price { get; set; }
    /// <summary>The feed's sale price, when the product is on sale.</summary>
    public decimal? SalePrice { get; set; }
    public string? Currency { get; set; }
    public long? CategoryId { get; set; }
    public Category? Category { get; set; }
    /// <summary>False when out of stock, or gone from the last full feed.</summary>
    public bool Available { get; set; } = true;
    /// <summary>The feed's availability: in_stock, out_of_stock, preorder, backorder.</summary>
    public string? Availability { get; set; }
    public string? Link { get; set; }
    public string? ImageLink { get; set; }
    public string? ItemGroupId { get; set; }
    public string? Gtin { get; set; }
    public string? Condition { get; set; }
    public string? GoogleProductCategory { get; set; }
    /// <summary>custom_label_0…4 joined by a tab (empty labels kept, so positions hold).</summary>
    public string? CustomLabels { get; set; }
    /// <summary>The feed run that last saw this product (null: known from events or orders only).</summary>
    public long? LastFeedRunId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A node of the store's category tree; <see cref="Path"/> ("Home &gt; Furniture &gt; Chairs") is unique per store.</summary>
public sealed class Category : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public required string Path { get; set; }
    public required string Name { get; set; }
    public long? ParentId { get; set; }
    public Category? Parent { get; set; }
    /// <summary>1 for a root category.</summary>
    public int Level { get; set; }
}

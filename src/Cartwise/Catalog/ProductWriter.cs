using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Catalog;

/// <summary>
/// The one writer of a store's <c>Products</c> and <c>Categories</c>, inside the caller's transaction: feed import,
/// tracking and order import all insert and update through it, with one column list and the store filter on every
/// statement. A <see cref="Product"/> given to it carries what its source knows; ids, store and times are its own.
/// Not thread-safe.
/// </summary>
public sealed class ProductWriter(RowWriter writer, long storeId)
{
    private static readonly string[] InsertColumns =
    [
        "StoreId", "ExternalId", "Name", "Description", "Brand", "Price", "SalePrice", "Currency", "CategoryId", "Available", "Availability",
        "Link", "ImageLink", "ItemGroupId", "Gtin", "Condition", "GoogleProductCategory", "CustomLabels", "LastFeedRunId", "CreatedAt", "UpdatedAt",
    ];

    private static readonly string FeedUpdateSql =
        $"""
        UPDATE "Products" SET "Name"=COALESCE(@p2,"Name"),"Description"=@p3,"Brand"=COALESCE(@p4,"Brand"),"Price"=COALESCE(@p5,"Price"),"SalePrice"=@p6,
            "Currency"=COALESCE(@p7,"Currency"),"CategoryId"=COALESCE(@p8,"CategoryId"),"Available"=@p9,"Availability"=@p10,"Link"=@p11,"ImageLink"=@p12,
            "ItemGroupId"=@p13,"Gtin"=@p14,"Condition"=@p15,"GoogleProductCategory"=@p16,"CustomLabels"=@p17,"LastFeedRunId"=@p18,"UpdatedAt"=@p19
        WHERE {StoreSql.Filter()} AND "Id"=@p1
        """;

    // The conditions hold even where a node's caches have not yet seen a feed claim the product or the store.
    private static readonly string EventUpdateSql =
        $"""
        UPDATE "Products" SET "Name"=@p2,"Brand"=@p3,"Price"=@p4,"Currency"=@p5,"CategoryId"=@p6,"UpdatedAt"=@p7
        WHERE {StoreSql.Filter()} AND "Id"=@p1 AND "LastFeedRunId" IS NULL
          AND EXISTS (SELECT 1 FROM "Stores" s WHERE s."Id"=@p0 AND s."EventsUpdateProducts")
        """;

    /// <summary>Inserts new products and gives their ids in order.</summary>
    public Task<long[]> InsertAsync(IReadOnlyList<Product> products, DateTimeOffset now, CancellationToken ct) =>
        writer.InsertWithIdsAsync("Products", InsertColumns, products.Select(p => new object?[]
        {
            storeId, p.ExternalId, p.Name, p.Description, p.Brand, p.Price, p.SalePrice, p.Currency, p.CategoryId, p.Available, p.Availability,
            p.Link, p.ImageLink, p.ItemGroupId, p.Gtin, p.Condition, p.GoogleProductCategory, p.CustomLabels, p.LastFeedRunId, now, now,
        }).ToList(), ct);

    /// <summary>A feed's word on stored products: every field it carries; name, brand, price, currency and category only where it has one.</summary>
    public Task UpdateFromFeedAsync(IReadOnlyList<(long Id, Product Product)> products, DateTimeOffset now, CancellationToken ct) =>
        writer.ExecuteAsync(FeedUpdateSql, products.Select(x =>
        {
            var p = x.Product;
            return new object?[]
            {
                storeId, x.Id, p.Name, p.Description, p.Brand, p.Price, p.SalePrice, p.Currency, p.CategoryId, p.Available, p.Availability,
                p.Link, p.ImageLink, p.ItemGroupId, p.Gtin, p.Condition, p.GoogleProductCategory, p.CustomLabels, p.LastFeedRunId, now,
            };
        }).ToList(), ct);

    /// <summary>
    /// What events say of stored products (name, brand, price, currency, category), applied only to products no feed
    /// has listed, and only while the store lets events describe products.
    /// </summary>
    public Task UpdateFromEventsAsync(IReadOnlyList<(long Id, Product Product)> products, DateTimeOffset now, CancellationToken ct) =>
        writer.ExecuteAsync(EventUpdateSql,
            products.Select(x => new object?[] { storeId, x.Id, x.Product.Name, x.Product.Brand, x.Product.Price, x.Product.Currency, x.Product.CategoryId, now }).ToList(), ct);

    /// <summary>Inserts one category node (its parent already stored) and gives its id.</summary>
    public async Task<long> InsertCategoryAsync(string path, string name, long? parentId, int level, CancellationToken ct) =>
        (await writer.InsertReturningIdsAsync(
            """INSERT INTO "Categories" ("StoreId","Path","Name","ParentId","Level") VALUES (@p0,@p1,@p2,@p3,@p4) RETURNING "Id" """,
            [[storeId, path, name, parentId, level]], ct))[0];

    /// <summary>
    /// After a full feed: what it no longer lists is unavailable (kept, since orders and rules refer to it). Through
    /// the context's store filter; gives how many products it changed.
    /// </summary>
    public static Task<int> MarkUnlistedUnavailableAsync(CartwiseDb db, long runId, DateTimeOffset now, CancellationToken ct) =>
        db.Products.Where(p => p.Available && (p.LastFeedRunId == null || p.LastFeedRunId != runId))
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.Available, false).SetProperty(p => p.UpdatedAt, now), ct);
}

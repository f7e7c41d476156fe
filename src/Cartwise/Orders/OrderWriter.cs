using Cartwise.Data;

namespace Cartwise.Orders;

/// <summary>
/// The one writer of a store's <c>Orders</c> and <c>OrderLines</c> on the bulk paths (tracking, order import),
/// inside the caller's transaction, with the store filter on every statement. Refunds add to what is refunded, so two
/// writers refunding one order never overwrite each other. Not thread-safe.
/// </summary>
public sealed class OrderWriter(RowWriter writer, long storeId)
{
    /// <summary>Inserts new orders and gives their ids in order.</summary>
    public Task<long[]> InsertAsync(IReadOnlyList<Order> orders, CancellationToken ct) =>
        writer.InsertReturningIdsAsync(
            """
            INSERT INTO "Orders" ("StoreId","ExternalId","CustomerId","PlacedAt","Value","Currency","Coupon","Shipping","Tax","RefundedValue","RefundedAt")
            VALUES (@p0,@p1,@p2,@p3,@p4,@p5,@p6,@p7,@p8,@p9,@p10) RETURNING "Id"
            """,
            orders.Select(o => new object?[] { storeId, o.ExternalId, o.CustomerId, o.PlacedAt, o.Value, o.Currency, o.Coupon, o.Shipping, o.Tax, o.RefundedValue, o.RefundedAt })
                .ToList(), ct);

    public Task AddLinesAsync(IReadOnlyList<OrderLine> lines, CancellationToken ct) =>
        writer.InsertAsync("OrderLines", ["StoreId", "OrderId", "LineNo", "ProductId", "Quantity", "Price", "RefundedQuantity"],
            lines.Select(l => new object?[] { storeId, l.OrderId, l.LineNo, l.ProductId, l.Quantity, l.Price, l.RefundedQuantity }).ToList(), ct);

    /// <summary>More of an order found further down an import file: its value grows by <paramref name="value"/>.</summary>
    public Task AddValueAsync(long orderId, decimal value, CancellationToken ct) =>
        writer.ExecuteAsync($"""UPDATE "Orders" SET "Value"="Value"+@p2 WHERE {StoreSql.Filter()} AND "Id"=@p1""", [[storeId, orderId, value]], ct);

    /// <summary>Refunded units per line and refunded value per order (both added), with the order's latest refund time.</summary>
    public async Task RefundAsync(IReadOnlyList<(long OrderId, int LineNo, int Units)> lines, IReadOnlyList<(long OrderId, decimal Value, DateTimeOffset At)> orders,
        CancellationToken ct)
    {
        var filter = StoreSql.Filter();
        await writer.ExecuteAsync($"""UPDATE "OrderLines" SET "RefundedQuantity"="RefundedQuantity"+@p3 WHERE {filter} AND "OrderId"=@p1 AND "LineNo"=@p2""",
            lines.Select(l => new object?[] { storeId, l.OrderId, l.LineNo, l.Units }).ToList(), ct);
        await writer.ExecuteAsync($"""UPDATE "Orders" SET "RefundedValue"="RefundedValue"+@p2,"RefundedAt"=@p3 WHERE {filter} AND "Id"=@p1""",
            orders.Select(o => new object?[] { storeId, o.OrderId, o.Value, o.At }).ToList(), ct);
    }
}

using Cartwise.Core.Messages;
using Cartwise.Data;
using Cartwise.Messages;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Coupons;

/// <summary>A dynamic coupon was due but its pool has no free code left: the send fails with this reason, never with a blank.</summary>
public sealed class CouponPoolEmptyException(string pool) : Exception($"coupon pool '{pool}' has no free code left");

/// <summary>Gives coupons to outbox rows.</summary>
public static class CouponService
{
    public const string SampleCode = "SAMPLE-CODE";

    /// <summary>
    /// The coupon of <paramref name="row"/>: none, the static code, a code of the pool, or (a bounce-back reminder) its
    /// offer's code. A dynamic code is taken once
    /// per row (a retry finds the row's code again) and never given to two rows: the claim sets a free code's
    /// <see cref="CouponCode.OutboxId"/> only while it is null, under a row lock on PostgreSQL (SKIP LOCKED lets
    /// concurrent senders take different codes) and SQLite's single writer.
    /// </summary>
    public static async Task<CouponModel?> AssignAsync(CartwiseDb db, Message message, OutboxMessage row, DateTimeOffset now, CancellationToken ct)
    {
        var expires = Expiry(message, now);
        switch (message.CouponMode)
        {
            case CouponModes.Static when message.StaticCode is { Length: > 0 } code:
                return new CouponModel(code, expires);
            case CouponModes.Dynamic when message.CouponPoolId is { } poolId:
            {
                if (row.IsTest) return new CouponModel(SampleCode, expires);
                // Only a row tried before can hold a code already.
                if (row.Attempts > 1 || row.Uncertain)
                {
                    var mine = await db.CouponCodes.AsNoTracking().Where(c => c.OutboxId == row.Id).Select(c => new { c.Code, c.ExpiresAt }).FirstOrDefaultAsync(ct);
                    if (mine is not null) return new CouponModel(mine.Code, mine.ExpiresAt);
                }
                var lockClause = db.Kind == DatabaseKind.Postgres ? " FOR UPDATE SKIP LOCKED" : "";
                var codes = await Sql.QueryAsync(DbSession.From(db),
                    $"""
                    UPDATE "CouponCodes" SET "OutboxId" = @p1, "CustomerId" = @p2, "AssignedAt" = @p3, "ExpiresAt" = @p4
                    WHERE "OutboxId" IS NULL AND "Id" = (SELECT "Id" FROM "CouponCodes" WHERE {StoreSql.Check()} AND "PoolId" = @p5 AND "OutboxId" IS NULL ORDER BY "Id" LIMIT 1{lockClause})
                    RETURNING "Code"
                    """,
                    [row.StoreId, row.Id, row.CustomerId, now, expires, poolId], r => r.GetString(0), ct);
                if (codes.Count == 1) return new CouponModel(codes[0], expires);
                var name = await db.CouponPools.Where(p => p.Id == poolId).Select(p => p.Name).FirstOrDefaultAsync(ct);
                throw new CouponPoolEmptyException(name ?? poolId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            case CouponModes.None when row is { Rule: "reminder", ScenarioId: { } scenario, IsTest: false }:
            {
                // A bounce-back reminder recalls the code its offer carried (same scenario, customer and trigger).
                var offer = await db.Outbox.AsNoTracking()
                    .Where(o => o.ScenarioId == scenario && o.CustomerId == row.CustomerId && o.TriggerId == row.TriggerId && o.Rule == "offer" && o.CouponCode != null)
                    .Select(o => new { o.Id, o.CouponCode }).FirstOrDefaultAsync(ct);
                if (offer is null) return null;
                var until = await db.CouponCodes.AsNoTracking().Where(c => c.OutboxId == offer.Id).Select(c => c.ExpiresAt).FirstOrDefaultAsync(ct);
                return new CouponModel(offer.CouponCode!, until);
            }
            default:
                return null;
        }
    }

    /// <summary>A coupon for previews: the static code, or a sample for a dynamic pool.</summary>
    public static CouponModel? Sample(Message message, DateTimeOffset now) => message.CouponMode switch
    {
        CouponModes.Static when message.StaticCode is { Length: > 0 } code => new CouponModel(code, Expiry(message, now)),
        CouponModes.Dynamic => new CouponModel(SampleCode, Expiry(message, now)),
        _ => null,
    };

    private static DateTimeOffset? Expiry(Message m, DateTimeOffset now) =>
        m.CouponExpiresAt ?? (m.CouponValidDays is { } days ? now.AddDays(days) : null);
}

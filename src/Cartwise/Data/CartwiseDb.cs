using System.Linq.Expressions;
using Cartwise.Catalog;
using Cartwise.Customers;
using Cartwise.Orders;
using Cartwise.Stores;
using Cartwise.Tracking;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Data;

/// <summary>
/// The one model of Cartwise. Every store-owned row is filtered by <see cref="CurrentStoreId"/> here, so a query can
/// never see another store's rows by forgetting a condition. Not thread-safe (one instance per request or job).
/// </summary>
public abstract class CartwiseDb(DbContextOptions options) : DbContext(options), Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.IDataProtectionKeyContext
{
    /// <summary>The store this context works for; 0 (the default) sees no store-owned row at all.</summary>
    public long CurrentStoreId { get; set; }

    public DbSet<Store> Stores => Set<Store>();
    public DbSet<Users.User> Users => Set<Users.User>();
    public DbSet<Users.UserStore> UserStores => Set<Users.UserStore>();
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<CustomerIdentity> CustomerIdentities => Set<CustomerIdentity>();
    public DbSet<IdentityConflict> IdentityConflicts => Set<IdentityConflict>();
    /// <summary>Data Protection's key ring (it encrypts SMTP passwords), in the database so every node finds it.</summary>
    public DbSet<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey> DataProtectionKeys => Set<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>();
    public DbSet<StoredEvent> Events => Set<StoredEvent>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<Category> Categories => Set<Category>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> OrderLines => Set<OrderLine>();
    public DbSet<FeedRun> FeedRuns => Set<FeedRun>();
    public DbSet<FeedSchedule> FeedSchedules => Set<FeedSchedule>();
    public DbSet<Importing.ImportRun> ImportRuns => Set<Importing.ImportRun>();
    public DbSet<Recommendations.MiningRun> MiningRuns => Set<Recommendations.MiningRun>();
    public DbSet<Messages.Sender> Senders => Set<Messages.Sender>();
    public DbSet<Messages.Message> Messages => Set<Messages.Message>();
    public DbSet<Messages.OutboxMessage> Outbox => Set<Messages.OutboxMessage>();
    public DbSet<Messages.OutboxBody> OutboxBodies => Set<Messages.OutboxBody>();
    public DbSet<Messages.MessageActivity> MessageActivities => Set<Messages.MessageActivity>();
    public DbSet<Messages.Suppression> Suppressions => Set<Messages.Suppression>();
    public DbSet<Coupons.CouponPool> CouponPools => Set<Coupons.CouponPool>();
    public DbSet<Coupons.CouponCode> CouponCodes => Set<Coupons.CouponCode>();
    public DbSet<Scenarios.Scenario> Scenarios => Set<Scenarios.Scenario>();
    public DbSet<Scenarios.ScenarioDecision> ScenarioDecisions => Set<Scenarios.ScenarioDecision>();
    public DbSet<Scenarios.ScenarioCursor> ScenarioCursors => Set<Scenarios.ScenarioCursor>();
    public DbSet<Scenarios.ScenarioTestWinner> ScenarioTestWinners => Set<Scenarios.ScenarioTestWinner>();
    public DbSet<Segments.CustomerSegment> CustomerSegments => Set<Segments.CustomerSegment>();
    public DbSet<Segments.SegmentMove> SegmentMoves => Set<Segments.SegmentMove>();
    public DbSet<Segments.SegmentSchedule> SegmentSchedules => Set<Segments.SegmentSchedule>();

    /// <summary>Which engine this context talks to, for the few places where SQL differs.</summary>
    public abstract DatabaseKind Kind { get; }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Indexes are declared below, one by one: an index on every foreign key by default would cost the bulk
        // writes (an index on OrderLines.ProductId alone doubles the time of an order import) for queries we never run.
        configurationBuilder.Conventions.Remove<Microsoft.EntityFrameworkCore.Metadata.Conventions.ForeignKeyIndexConvention>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var b = modelBuilder;
        b.Entity<Store>(e =>
        {
            e.HasIndex(x => x.Slug).IsUnique();
            e.HasIndex(x => x.TrackingKeyHash).IsUnique();
            e.HasIndex(x => x.AdminKeyHash).IsUnique();
            e.Property(x => x.Slug).HasMaxLength(64);
            e.Property(x => x.Currency).HasMaxLength(3);
        });
        b.Entity<Users.User>(e =>
        {
            e.HasIndex(x => x.Email).IsUnique();
            e.Property(x => x.Email).HasMaxLength(320);
        });
        b.Entity<Users.UserStore>(e =>
        {
            e.HasKey(x => new { x.UserId, x.StoreId });
            e.HasIndex(x => x.StoreId);
        });
        b.Entity<Customer>(e =>
        {
            e.HasIndex(x => new { x.StoreId, x.Email });
            e.HasIndex(x => new { x.StoreId, x.Phone });
            e.HasIndex(x => new { x.StoreId, x.ExternalId });
        });
        b.Entity<CustomerIdentity>(e =>
        {
            e.HasIndex(x => new { x.StoreId, x.Key }).IsUnique();
            e.HasIndex(x => x.CustomerId);
        });
        b.Entity<IdentityConflict>(e => e.HasIndex(x => new { x.CustomerId, x.CreatedAt }));
        b.Entity<StoredEvent>(e =>
        {
            e.HasIndex(x => new { x.StoreId, x.EventId }).IsUnique();
            // Customer ids are unique across stores, so the FK index also serves "this customer's events, in time".
            e.HasIndex(x => new { x.CustomerId, x.OccurredAt });
            // By name, in time: the widget analytics read one store's impressions and clicks of a date range.
            e.HasIndex(x => new { x.StoreId, x.Name, x.OccurredAt });
            // The overview counts what arrived in the last 24 hours.
            e.HasIndex(x => new { x.StoreId, x.ReceivedAt });
        });
        b.Entity<Product>(e =>
        {
            e.HasIndex(x => new { x.StoreId, x.ExternalId }).IsUnique();
            e.HasIndex(x => new { x.StoreId, x.ItemGroupId });
            e.HasIndex(x => x.CategoryId);
        });
        b.Entity<FeedRun>(e => e.HasIndex(x => new { x.StoreId, x.StartedAt }));
        b.Entity<Importing.ImportRun>(e =>
        {
            e.HasIndex(x => new { x.StoreId, x.StartedAt });
            e.Property(x => x.Kind).HasMaxLength(16);
            e.Property(x => x.Source).HasMaxLength(300);
        });
        b.Entity<Recommendations.MiningRun>(e => e.HasIndex(x => new { x.StoreId, x.Status }));
        b.Entity<FeedSchedule>(e =>
        {
            e.HasIndex(x => x.StoreId).IsUnique();
            e.HasIndex(x => x.NextRunAt);
        });
        b.Entity<Category>(e =>
        {
            e.HasIndex(x => new { x.StoreId, x.Path }).IsUnique();
            e.HasIndex(x => x.ParentId);
        });
        b.Entity<Order>(e =>
        {
            e.HasIndex(x => new { x.StoreId, x.ExternalId }).IsUnique();
            e.HasIndex(x => new { x.CustomerId, x.PlacedAt });
            e.HasIndex(x => new { x.StoreId, x.PlacedAt });
            e.HasMany(x => x.Lines).WithOne().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<OrderLine>(e =>
        {
            // Keyed by order and number, with no surrogate id: one index where an id and a unique (order, number) took
            // two, for an import's half a million lines. No index on ProductId: baskets and bestsellers scan all
            // lines; nothing looks lines up by product.
            e.HasKey(x => new { x.OrderId, x.LineNo });
        });

        b.Entity<Messages.Sender>(e => e.HasIndex(x => x.StoreId));
        b.Entity<Messages.Message>(e => e.HasIndex(x => x.StoreId));
        b.Entity<Messages.OutboxMessage>(e =>
        {
            e.ToTable("Outbox");
            e.HasIndex(x => new { x.StoreId, x.Key }).IsUnique();
            // Workers look for due rows across stores: pending by due time, claimed or sending by lease.
            e.HasIndex(x => new { x.Status, x.DueAt });
            e.HasIndex(x => new { x.StoreId, x.MessageId, x.SentAt });
            e.HasIndex(x => new { x.CustomerId, x.SentAt });
            // The outbox page lists a store's rows newest first, by status.
            e.HasIndex(x => new { x.StoreId, x.Status, x.Id });
        });
        b.Entity<Messages.OutboxBody>(e => e.HasKey(x => x.OutboxId));
        b.Entity<Messages.MessageActivity>(e =>
        {
            e.HasIndex(x => x.OutboxId);
            e.HasIndex(x => new { x.StoreId, x.At });
        });
        b.Entity<Messages.Suppression>(e => e.HasIndex(x => new { x.StoreId, x.Email }).IsUnique());
        b.Entity<Coupons.CouponPool>(e => e.HasIndex(x => x.StoreId));
        b.Entity<Coupons.CouponCode>(e =>
        {
            e.HasIndex(x => new { x.PoolId, x.Code }).IsUnique();
            // One code per outbox row, and the free codes of a pool found in order: an index of the free codes only,
            // which gives them in id order on both engines (PostgreSQL does not read "OutboxId IS NULL" in an index of
            // all codes as fixing that column, and sorted every free code of the pool to take one).
            e.HasIndex(x => x.OutboxId).IsUnique();
            e.HasIndex(x => new { x.PoolId, x.Id }).HasFilter("\"OutboxId\" IS NULL");
            e.HasIndex(x => new { x.StoreId, x.Code });
        });
        b.Entity<Scenarios.Scenario>(e => e.HasIndex(x => new { x.StoreId, x.State }));
        b.Entity<Scenarios.ScenarioDecision>(e =>
        {
            // Three indexes only (decisions are the engine's hot write): the unique key also serves a scenario's
            // decisions (its prefix) and the send-time lookup from an outbox row (which carries the whole key).
            e.HasIndex(x => new { x.ScenarioId, x.Rule, x.CustomerId, x.TriggerKey }).IsUnique();
            e.HasIndex(x => new { x.CustomerId, x.DecidedAt });
        });
        b.Entity<Scenarios.ScenarioCursor>(e => e.HasKey(x => x.StoreId));
        b.Entity<Scenarios.ScenarioTestWinner>(e => e.HasIndex(x => new { x.ScenarioId, x.Rule }).IsUnique());
        b.Entity<Segments.CustomerSegment>(e =>
        {
            e.HasIndex(x => new { x.StoreId, x.CustomerId }).IsUnique();
            // A segment's members (audiences, exports, the segment table).
            e.HasIndex(x => new { x.StoreId, x.Segment });
            e.Property(x => x.Segment).HasMaxLength(64);
        });
        // "Who moved from Loyal to At risk this month": a store's moves in time.
        b.Entity<Segments.SegmentMove>(e => e.HasIndex(x => new { x.StoreId, x.At }));
        b.Entity<Segments.SegmentSchedule>(e =>
        {
            e.HasIndex(x => x.StoreId).IsUnique();
            e.HasIndex(x => x.NextRunAt);
        });

        foreach (var type in b.Model.GetEntityTypes().Where(t => typeof(IStoreOwned).IsAssignableFrom(t.ClrType)))
        {
            // x => x.StoreId == this.CurrentStoreId; EF reads CurrentStoreId from the context instance per query.
            var x = Expression.Parameter(type.ClrType, "x");
            var filter = Expression.Lambda(
                Expression.Equal(Expression.Property(x, nameof(IStoreOwned.StoreId)),
                    Expression.Property(Expression.Constant(this), nameof(CurrentStoreId))), x);
            b.Entity(type.ClrType).HasQueryFilter(filter);
        }
    }
}

public enum DatabaseKind { Sqlite, Postgres }

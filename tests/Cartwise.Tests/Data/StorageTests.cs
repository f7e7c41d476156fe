using System.Globalization;
using Cartwise.Data;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;

namespace Cartwise.Tests.Data;

/// <summary>The plain-SQL layer under the bulk paths: what it writes and reads back on each engine.</summary>
public sealed class StorageTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task QueryIn_FindsExactlyTheListedValues_StringsAndNumbers(Engine engine)
    {
        var (database, store) = await SetUpAsync(engine);
        await using var _ = database;
        await using var db = database.Target.CreateContext();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            // Keys a list must carry exactly: quotes, a comma, brackets, non-ASCII, and a key that is a prefix of another.
            string[] keys = ["a:plain", "a:it's", "a:x,y", "a:[1]", "a:Zoë \"z\"", "a:ab", "a:abc", .. Enumerable.Range(0, 600).Select(i => $"a:n{i}")];
            var w = RowWriter.For(db);
            var customer = await CustomerAsync(w, store);
            await w.InsertAsync("CustomerIdentities", ["StoreId", "Key", "CustomerId", "CreatedAt"],
                keys.Select(k => new object?[] { store, k, customer, TestApp.Start }).ToList(), CancellationToken.None);
            await tx.CommitAsync();
        }
        string[] asked = ["a:it's", "a:x,y", "a:[1]", "a:Zoë \"z\"", "a:ab", "a:missing", .. Enumerable.Range(0, 550).Select(i => $"a:n{i}")];

        var found = await Sql.QueryInAsync(DbSession.From(db), $$"""SELECT "Key", "Id" FROM "CustomerIdentities" WHERE {{StoreSql.Filter()}} AND "Key" IN ({in})""",
            [store], asked, r => (Key: r.GetString(0), Id: r.GetInt64(1)), CancellationToken.None);
        Assert.Equal(asked.Where(k => k != "a:missing").Order(StringComparer.Ordinal), found.Select(f => f.Key).Order(StringComparer.Ordinal));

        var ids = found.Take(3).Select(f => f.Id).ToList();
        var byId = await Sql.QueryInAsync(DbSession.From(db), $$"""SELECT "Id" FROM "CustomerIdentities" WHERE {{StoreSql.Filter()}} AND "Id" IN ({in})""",
            [store], ids, r => r.GetInt64(0), CancellationToken.None);
        Assert.Equal(ids.Order(), byId.Order());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task RowWriter_FewAndManyRows_AndParametersInAnyOrder(Engine engine)
    {
        await using var open = await OpenAsync(engine);
        var (db, tx, w, store, customer) = (open.Db, open.Transaction, open.Writer, open.Store, open.Customer);
        string[] columns = ["StoreId", "Key", "CustomerId", "CreatedAt"];
        // Below and above the count where PostgreSQL switches from statements to COPY.
        await w.InsertAsync("CustomerIdentities", columns, Enumerable.Range(0, 5).Select(i => new object?[] { store, $"a:few{i}", customer, TestApp.Start }).ToList(), CancellationToken.None);
        await w.InsertAsync("CustomerIdentities", columns, Enumerable.Range(0, 100).Select(i => new object?[] { store, $"a:many{i}", customer, TestApp.Start }).ToList(), CancellationToken.None);
        // A statement whose parameters appear out of number order, one of them twice.
        await w.ExecuteAsync($"""UPDATE "CustomerIdentities" SET "Key"=@p2 || "Key" WHERE "Key"=@p1 AND {StoreSql.Filter()} AND "StoreId"=@p0""",
            [[store, "a:few3", "x"], [store, "a:many70", "y"]], CancellationToken.None);
        await tx.CommitAsync();

        var keys = await Sql.QueryAsync(DbSession.From(db), "SELECT \"Key\" FROM \"CustomerIdentities\"", [], r => r.GetString(0), CancellationToken.None);
        Assert.Equal(105, keys.Count);
        Assert.Contains("xa:few3", keys);
        Assert.Contains("ya:many70", keys);
        Assert.DoesNotContain("a:few3", keys);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task RowWriter_CopiedRows_ReadBackExactly(Engine engine)
    {
        await using var open = await OpenAsync(engine);
        var (db, tx, w, store, customer) = (open.Db, open.Transaction, open.Writer, open.Store, open.Customer);
        // Values at the edges of each encoding (PostgreSQL writes them itself in binary COPY from 32 rows on): decimals
        // with trailing zeros, below one, at a digit group's boundary, the largest and the smallest, negative, zero with a
        // scale; times before and after 2000-01-01 to the microsecond; text with non-ASCII and the empty string; nulls.
        decimal[] values = [0m, 0.00m, 1m, -1m, 2.50m, 0.5m, 0.0001m, 0.00005m, 9999m, 10000m, 10000.0001m, 123456789.0123m, -987.654321m,
            1e-28m, decimal.MaxValue, decimal.MinValue, 79228162514264337593543950.335m, 12345678901234567890.1234m, 0.1234567890123456789012345678m];
        DateTimeOffset[] times = [new DateTimeOffset(1999, 12, 31, 23, 59, 59, 999, TimeSpan.Zero).AddTicks(9990), new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2010, 12, 1, 8, 26, 0, TimeSpan.Zero).AddTicks(1234560), new DateTimeOffset(2026, 12, 7, 22, 0, 0, TimeSpan.FromHours(1))];
        string[] texts = ["plain", "Zoë’s «café» 🛒", "", "it's \"quoted\", with a comma\nand a line"];
        var rows = Enumerable.Range(0, 40).Select(i => new object?[]
        {
            store, texts[i % texts.Length] + i, i % 3 == 0 ? null : customer, times[i % times.Length], values[i % values.Length], "EUR", null,
            i % 2 == 0 ? null : values[(i + 7) % values.Length], null, 0m, null,
        }).ToList();
        var ids = await w.InsertWithIdsAsync("Orders", ["StoreId", "ExternalId", "CustomerId", "PlacedAt", "Value", "Currency", "Coupon", "Shipping", "Tax", "RefundedValue", "RefundedAt"],
            rows, CancellationToken.None);
        var customers = await w.InsertWithIdsAsync("Customers", ["StoreId", "CreatedAt", "LastSeenAt", "IsIdentified"],
            Enumerable.Range(0, 40).Select(i => new object?[] { store, times[0], times[1], i % 2 == 0 }).ToList(), CancellationToken.None);
        await tx.CommitAsync();

        var stored = (await Sql.QueryAsync(DbSession.From(db), """SELECT "Id", "ExternalId", "CustomerId", "PlacedAt", "Value", "Shipping" FROM "Orders" """, [],
            r => (Id: r.GetInt64(0), External: r.GetString(1), Customer: r.IsDBNull(2) ? (long?)null : r.GetInt64(2), At: Sql.Time(r, 3),
                Value: Sql.Money(r, 4).ToString(CultureInfo.InvariantCulture), Shipping: r.IsDBNull(5) ? null : Sql.Money(r, 5).ToString(CultureInfo.InvariantCulture)),
            CancellationToken.None)).ToDictionary(o => o.Id);
        Assert.Equal(40, stored.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var o = stored[ids[i]];
            Assert.Equal((string)rows[i][1]!, o.External);
            Assert.Equal((long?)rows[i][2], o.Customer);
            var at = (DateTimeOffset)rows[i][3]!;
            // PostgreSQL keeps microseconds; SQLite keeps ticks.
            Assert.Equal(engine == Engine.Postgres ? at.UtcTicks / 10 * 10 : at.UtcTicks, o.At.UtcTicks);
            Assert.Equal(((decimal)rows[i][4]!).ToString(CultureInfo.InvariantCulture), o.Value);
            Assert.Equal(((decimal?)rows[i][7])?.ToString(CultureInfo.InvariantCulture), o.Shipping);
        }
        var identified = await Sql.QueryAsync(DbSession.From(db), """SELECT "Id" FROM "Customers" WHERE "IsIdentified" """, [], r => r.GetInt64(0), CancellationToken.None);
        Assert.Equal(customers.Where((_, i) => i % 2 == 0).Order(), identified.Order());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task AmountsAddedToStoredOnes_StayExactDecimals(Engine engine)
    {
        await using var open = await OpenAsync(engine);
        var (db, tx, w, store, customer) = (open.Db, open.Transaction, open.Writer, open.Store, open.Customer);
        var orders = new Cartwise.Orders.OrderWriter(w, store);
        var id = (await orders.InsertAsync([new Cartwise.Orders.Order { ExternalId = "A-1", CustomerId = customer, PlacedAt = TestApp.Start, Value = 0.1m, Currency = "EUR" }],
            CancellationToken.None))[0];
        // Sums that binary floating point gets wrong: 0.1 + 0.2, 20.03 + 20.03, and a value with many places.
        await orders.AddValueAsync(id, 0.2m, CancellationToken.None);
        await orders.AddValueAsync(id, 1234567890.123456789m, CancellationToken.None);
        await orders.RefundAsync([], [(id, 20.03m, TestApp.Start)], CancellationToken.None);
        await orders.RefundAsync([], [(id, 20.03m, TestApp.Start.AddDays(1))], CancellationToken.None);
        await tx.CommitAsync();

        var (value, refunded) = (await Sql.QueryAsync(DbSession.From(db), """SELECT "Value", "RefundedValue" FROM "Orders" """, [],
            r => (Sql.Money(r, 0), Sql.Money(r, 1)), CancellationToken.None)).Single();
        Assert.Equal(1234567890.423456789m, value);
        Assert.Equal(40.06m, refunded);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task RowWriter_InsertReturningIds_GivesEachRowsIdAndZeroForASkippedOne(Engine engine)
    {
        await using var open = await OpenAsync(engine);
        var (db, tx, w, store, customer) = (open.Db, open.Transaction, open.Writer, open.Store, open.Customer);
        const string insert = """INSERT INTO "CustomerIdentities" ("StoreId","Key","CustomerId","CreatedAt") VALUES (@p0,@p1,@p2,@p3) ON CONFLICT ("StoreId","Key") DO NOTHING RETURNING "Id" """;
        await w.InsertAsync("CustomerIdentities", ["StoreId", "Key", "CustomerId", "CreatedAt"], [[store, "a:there", customer, TestApp.Start]], CancellationToken.None);

        // New, already there, new twice in one call (the second is skipped).
        var ids = await w.InsertReturningIdsAsync(insert, [[store, "a:one", customer, TestApp.Start], [store, "a:there", customer, TestApp.Start],
            [store, "a:two", customer, TestApp.Start], [store, "a:two", customer, TestApp.Start]], CancellationToken.None);
        var upsert = await Record.ExceptionAsync(() => w.InsertReturningIdsAsync(insert.Replace("DO NOTHING", "DO UPDATE SET \"Key\" = excluded.\"Key\"", StringComparison.Ordinal),
            [[store, "a:one", customer, TestApp.Start]], CancellationToken.None));

        var stored = (await Sql.QueryAsync(DbSession.From(db), "SELECT \"Key\", \"Id\" FROM \"CustomerIdentities\"", [], r => (r.GetString(0), r.GetInt64(1)), CancellationToken.None))
            .ToDictionary();
        Assert.Equal([stored["a:one"], 0, stored["a:two"], 0], ids);
        Assert.NotEqual(stored["a:one"], stored["a:two"]);
        // SQLite reads the id from the connection, which an update would not give: such a statement is refused there.
        if (engine == Engine.Sqlite) Assert.IsType<ArgumentException>(upsert);
    }

    [Fact]
    public async Task RowWriter_AValueWithoutItsParameter_IsRefusedByName()
    {
        var (database, _) = await SetUpAsync(Engine.Sqlite);
        await using var _ = database;
        await using var db = database.Target.CreateContext();
        await using var tx = await db.Database.BeginTransactionAsync();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RowWriter.For(db).ExecuteAsync("""UPDATE "Stores" SET "Name"=@p1 WHERE "Id"=@p0""", [[1L, "x", "unused"]], CancellationToken.None));
        Assert.Contains("@p2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sqlite_APooledConnection_KeepsItsSettings()
    {
        var (database, _) = await SetUpAsync(Engine.Sqlite);
        await using var _ = database;
        for (var i = 0; i < 2; i++)
        {
            await using var session = await database.Target.OpenSessionAsync(CancellationToken.None);
            var values = new List<string>();
            foreach (var name in (string[])["journal_mode", "synchronous", "foreign_keys", "cache_size"])
                values.AddRange(await Sql.QueryAsync(session, $"PRAGMA {name}", [], r => Convert.ToString(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!, CancellationToken.None));
            Assert.Equal(["wal", "1", "1", "-8192"], values);
        }
    }

    private static async Task<long> CustomerAsync(RowWriter w, long store) =>
        (await w.InsertWithIdsAsync("Customers", ["StoreId", "CreatedAt", "LastSeenAt", "IsIdentified"], [[store, TestApp.Start, TestApp.Start, false]], CancellationToken.None))[0];

    /// <summary>A migrated database with one store and one profile, and a context with an open transaction on it.</summary>
    private static async Task<Opened> OpenAsync(Engine engine)
    {
        var (database, store) = await SetUpAsync(engine);
        var db = database.Target.CreateContext();
        var tx = await db.Database.BeginTransactionAsync();
        var w = RowWriter.For(db);
        return new Opened(database, db, tx, w, store, await CustomerAsync(w, store));
    }

    private sealed record Opened(TestDatabase Database, CartwiseDb Db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction Transaction, RowWriter Writer, long Store,
        long Customer) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Db.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    /// <summary>A migrated database with one store.</summary>
    private static async Task<(TestDatabase Database, long Store)> SetUpAsync(Engine engine)
    {
        var database = await TestDatabase.CreateAsync(engine);
        await using var db = database.Target.CreateContext();
        await db.MigrateAsync(CancellationToken.None);
        return (database, (await StoreService.CreateAsync(db, "shop", null, "EUR", null, "UTC", TestApp.Start, CancellationToken.None)).StoreId);
    }
}

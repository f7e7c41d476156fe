using Cartwise.Data;
using Cartwise.Orders.Import;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Cartwise.Tests.Orders;

public sealed class OrderImportTests
{
    private static async Task<(TestDatabase Db, Store Store)> StoreAsync(Engine engine, string timeZone = "Europe/London", string currency = "GBP")
    {
        var database = await TestDatabase.CreateAsync(engine);
        await using var db = database.Target.CreateContext();
        await db.MigrateAsync(CancellationToken.None);
        await StoreService.CreateAsync(db, "shop", null, currency, "GB", timeZone, TestApp.Start, CancellationToken.None);
        return (database, await db.Stores.SingleAsync());
    }

    private static Task<OrderImportResult> ImportAsync(DatabaseTarget target, Store store, string fixture, OrderImportOptions options) =>
        new OrderImporter(target, store, new FakeTimeProvider(TestApp.Start))
            .ImportAsync(() => (File.OpenRead(Fixtures.Path(fixture)), () => 0, null), options, CancellationToken.None);

    private static CartwiseDb Open(DatabaseTarget target, Store store)
    {
        var db = target.CreateContext();
        db.CurrentStoreId = store.Id;
        return db;
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task OnlineRetail_EachQuirkIsHandledOnPurpose(Engine engine)
    {
        var (database, store) = await StoreAsync(engine);
        await using var _ = database;

        var r = await ImportAsync(database.Target, store, "online-retail-mini.csv", new OrderImportOptions("online-retail"));

        Assert.Equal(16, r.Rows);
        Assert.Equal(6, r.OrdersCreated);              // 536365-369 and the voucher order 536382
        Assert.Equal(8, r.Lines);                      // the duplicate lantern line is kept, postage and voucher are not lines
        Assert.Equal((1, 1), (r.RefundLinesMatched, r.RefundLinesUnmatched)); // 12345 never bought the hand warmer here
        Assert.Equal(2, r.AdjustmentRowsSkipped);      // a stock correction and a bad-debt adjustment
        Assert.Equal(2, r.NonProductRows);             // postage and a gift voucher
        Assert.Equal(3, r.CustomersCreated);
        Assert.Equal(7, r.ProductsCreated);
        Assert.Equal(2, r.RejectedRows);
        Assert.Equal([(16L, "quantity 'not-a-number' is not a whole number"), (17L, "date '31/31/2010 10:01' is not in the expected format (M/d/yyyy H:mm)")],
            r.Problems.Select(p => (p.Line, p.Reason)).ToList());

        await using var db = Open(database.Target, store);
        var first = await db.Orders.Include(o => o.Lines).ThenInclude(l => l.Product).SingleAsync(o => o.ExternalId == "536365");
        Assert.Equal(new DateTimeOffset(2010, 12, 1, 8, 26, 0, TimeSpan.Zero), first.PlacedAt);
        Assert.Equal(73.98m, first.Value);
        Assert.Equal(18m, first.Shipping);
        Assert.Equal(13.56m, first.RefundedValue);
        Assert.Equal([0, 4, 0], first.Lines.OrderBy(l => l.LineNo).Select(l => l.RefundedQuantity).ToArray());
        Assert.Null((await db.Orders.SingleAsync(o => o.ExternalId == "536368")).CustomerId); // a guest order
        Assert.Equal("POPPY'S PLAYHOUSE BEDROOM", (await db.Products.SingleAsync(p => p.ExternalId == "22745")).Name);
        Assert.False(await db.Products.AnyAsync(p => p.ExternalId == "POST" || p.ExternalId == "22139" || p.ExternalId.StartsWith("gift_")));
        Assert.Equal("France", (await db.Customers.SingleAsync(c => c.ExternalId == "12345")).Country);
        Assert.Equal(8, await db.Events.CountAsync());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task ImportingTheSameFileTwice_LeavesTheSameData(Engine engine)
    {
        var (database, store) = await StoreAsync(engine);
        await using var _ = database;
        await ImportAsync(database.Target, store, "online-retail-mini.csv", new OrderImportOptions("online-retail"));
        string Snapshot(CartwiseDb db) => string.Join("|", db.Orders.OrderBy(o => o.ExternalId).Select(o => o.ExternalId + ":" + o.Value + ":" + o.RefundedValue + ":" + o.Lines.Count).ToList())
            + "#" + db.OrderLines.Sum(l => l.RefundedQuantity) + "#" + db.Customers.Count() + "#" + db.Products.Count() + "#" + db.Events.Count();
        string before;
        await using (var db = Open(database.Target, store)) before = Snapshot(db);

        var again = await ImportAsync(database.Target, store, "online-retail-mini.csv", new OrderImportOptions("online-retail"));

        Assert.Equal((0, 6), (again.OrdersCreated, again.OrdersAlreadyImported));
        await using (var db = Open(database.Target, store)) Assert.Equal(before, Snapshot(db));
    }

    [Fact]
    public async Task Latin1File_WithTheOriginalDateFormat_IsDetectedAndRead()
    {
        var (database, store) = await StoreAsync(Engine.Sqlite);
        await using var _ = database;

        var r = await ImportAsync(database.Target, store, "online-retail-latin1.csv", new OrderImportOptions("online-retail"));

        Assert.Equal("latin1", r.Encoding);
        Assert.Equal(6, r.OrdersCreated);
        await using var db = Open(database.Target, store);
        Assert.Equal(6, await db.Orders.CountAsync());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task GenericLines_WithAColumnMapCultureAndDateFormat(Engine engine)
    {
        var (database, store) = await StoreAsync(engine, "Europe/Warsaw", "PLN");
        await using var _ = database;
        var map = new Dictionary<string, string>
        {
            ["Zamowienie"] = "order_id", ["Produkt"] = "product_id", ["Nazwa"] = "product_name", ["Ilosc"] = "quantity", ["Cena"] = "price",
            ["Data"] = "date", ["Klient"] = "customer_id", ["Email"] = "email", ["Kategoria"] = "category",
        };

        var r = await ImportAsync(database.Target, store, "lines-pl.csv", new OrderImportOptions("lines", map, "dd.MM.yyyy HH:mm", "pl-PL"));

        Assert.Equal((2, 3, 2), (r.OrdersCreated, r.Lines, r.CustomersCreated));
        Assert.Equal((0, 1), (r.RefundLinesMatched, r.RefundLinesUnmatched));
        Assert.Equal(6L, Assert.Single(r.Problems).Line);
        await using var db = Open(database.Target, store);
        var z1 = await db.Orders.SingleAsync(o => o.ExternalId == "Z-1");
        Assert.Equal(55.00m, z1.Value);
        Assert.Equal(new DateTimeOffset(2024, 2, 1, 9, 15, 0, TimeSpan.Zero), z1.PlacedAt); // 10:15 in Warsaw, winter time
        var jan = await db.Customers.SingleAsync(c => c.Email == "jan@example.pl");
        Assert.Equal(jan.Id, (await db.Orders.SingleAsync(o => o.ExternalId == "Z-2")).CustomerId);
        var mug = await db.Products.Include(p => p.Category).SingleAsync(p => p.ExternalId == "SKU-1");
        Assert.Equal(("Kubek", 12.50m, "Dom > Kuchnia"), (mug.Name, mug.Price, mug.Category!.Path));
    }

    /// <summary>
    /// A shop's history in the generic lines layout, from a seed: customers known by id, by email or both, guests,
    /// categories, repeated products, refunds of earlier lines (whole and partial) and an order whose rows come back
    /// further down the file. Enough rows for the bulk paths (ids drawn before COPY on PostgreSQL) and several commits.
    /// </summary>
    private static string GeneratedHistory(int orders)
    {
        var random = new Random(17);
        var sb = new System.Text.StringBuilder("order_id,product_id,product_name,quantity,price,date,customer_id,email,category\n");
        var bought = new List<(string Order, string Product, int Quantity, decimal Price, int Customer)>();
        string? split = null;
        var start = new DateTime(2024, 3, 1, 9, 0, 0);
        for (var o = 0; o < orders; o++)
        {
            var at = start.AddMinutes(o * 37).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
            var customer = random.Next(10) == 0 ? 0 : random.Next(1, 120);
            var (id, email) = customer == 0 ? ("", "") : customer % 3 == 0 ? ("", $"c{customer}@example.com") : ($"K{customer}", customer % 3 == 1 ? $"c{customer}@example.com" : "");
            var order = $"S-{o:D5}";
            for (var l = random.Next(1, 9); l > 0; l--)
            {
                var product = random.Next(1, 200);
                var (quantity, price) = (random.Next(1, 13), 1.25m + product % 40 * 0.5m);
                sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"{order},P{product},Product {product},{quantity},{price},{at},{id},{email},Dept {product % 7} > Aisle {product % 21}\n");
                if (customer != 0) bought.Add((order, $"P{product}", quantity, price, customer));
            }
            if (o == orders / 3) split = $"{order},P7,Product 7,2,4.75,{at},{id},{email},Dept 0 > Aisle 7\n";
            if (o == 2 * orders / 3 && split is not null) sb.Append(split);
            if (o % 9 == 8 && bought.Count > 0)
            {
                var (_, product, quantity, price, buyer) = bought[random.Next(bought.Count)];
                var (cid, cmail) = buyer % 3 == 0 ? ("", $"c{buyer}@example.com") : ($"K{buyer}", buyer % 3 == 1 ? $"c{buyer}@example.com" : "");
                sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"R-{o:D5},{product},,{-random.Next(1, quantity + 2)},{price},{at},{cid},{cmail},\n");
            }
        }
        return sb.ToString();
    }

    /// <summary>What a store holds after an import, by the shop's own ids (engines hand out different row ids).</summary>
    private static async Task<List<string>> StoredRowsAsync(DatabaseTarget target, Store store)
    {
        await using var db = Open(target, store);
        static string D(decimal? d) => d?.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) ?? "-";
        static string T(DateTimeOffset? t) => t?.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "-";
        var customers = await db.Customers.AsNoTracking().ToDictionaryAsync(c => c.Id);
        var products = await db.Products.AsNoTracking().Include(p => p.Category).ToDictionaryAsync(p => p.Id);
        string Who(long? id) => id is { } c ? customers[c].ExternalId ?? customers[c].Email ?? "?" : "guest";
        var rows = new List<string>();
        foreach (var o in await db.Orders.AsNoTracking().Include(o => o.Lines).ToListAsync())
        {
            rows.Add($"order {o.ExternalId} {Who(o.CustomerId)} {T(o.PlacedAt)} {D(o.Value)} {o.Currency} {D(o.Shipping)} {D(o.RefundedValue)} {T(o.RefundedAt)}");
            rows.AddRange(o.Lines.Select(l => $"line {o.ExternalId}/{l.LineNo} {products[l.ProductId].ExternalId} {l.Quantity} {D(l.Price)} {l.RefundedQuantity}"));
        }
        rows.AddRange(customers.Values.Select(c => $"customer {c.ExternalId} {c.Email} {c.Country} {T(c.CreatedAt)} {T(c.LastSeenAt)} {c.IsIdentified}"));
        rows.AddRange(await db.CustomerIdentities.AsNoTracking().Select(i => new { i.Key, i.CustomerId }).ToListAsync() is var ids ? ids.Select(i => $"identity {i.Key} {Who(i.CustomerId)}") : []);
        rows.AddRange(products.Values.Select(p => $"product {p.ExternalId} {p.Name} {D(p.Price)} {p.Currency} {p.Category?.Path}"));
        rows.AddRange((await db.Events.AsNoTracking().ToListAsync()).Select(e => $"event {e.EventId} {e.Name} {Who(e.CustomerId)} {T(e.OccurredAt)} {D(e.Value)} {e.TransactionId}"));
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    [Fact]
    public async Task BothEngines_StoreTheSameRows_ForTheSameFile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"cartwise-history-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, GeneratedHistory(3_000));
        try
        {
            var stored = new Dictionary<Engine, List<string>>();
            foreach (var engine in new[] { Engine.Sqlite, Engine.Postgres })
            {
                var (database, store) = await StoreAsync(engine);
                await using var _ = database;
                var r = await new OrderImporter(database.Target, store, new FakeTimeProvider(TestApp.Start))
                    .ImportAsync(() => (File.OpenRead(file), () => 0, null), new OrderImportOptions("lines"), CancellationToken.None);
                Assert.Equal(0, r.RejectedRows);
                Assert.True(r.RefundLinesMatched > 100, $"{r.RefundLinesMatched} refund lines matched");
                stored[engine] = await StoredRowsAsync(database.Target, store);
                // No foreign key is checked as an import writes order lines (PostgreSQL declares none, SQLite's checks are off
                // for the import's commits): the write path keeps every line's order and product.
                await using var db = Open(database.Target, store);
                Assert.Equal(0, await db.OrderLines.CountAsync(l => !db.Orders.Any(o => o.Id == l.OrderId) || !db.Products.Any(p => p.Id == l.ProductId)));
            }

            Assert.True(stored[Engine.Sqlite].Count(r => r.StartsWith("line ", StringComparison.Ordinal)) > 10_000);
            Assert.Contains(stored[Engine.Sqlite], r => r.StartsWith("line S-01000/", StringComparison.Ordinal) && r.Contains(" P7 2 4.75 ", StringComparison.Ordinal));
            Assert.Equal(stored[Engine.Sqlite], stored[Engine.Postgres]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ALatin1ByteFarIntoTheFile_StartsAgainAsLatin1_WithNothingTwiceOrLost()
    {
        // Thousands of rows in UTF-8's common subset, then one Latin-1 "é": several commits are done, and the file is read
        // on while one is written, when the reading fails and starts again.
        var file = Path.Combine(Path.GetTempPath(), $"cartwise-latin1-{Guid.NewGuid():N}.csv");
        // An order on the first rows continues on the row just before the "é", in the chunk not yet committed when the
        // reading fails: the second reading adds that row to it. The order is refunded after the "é": the second reading
        // finds the purchase in the database.
        var history = GeneratedHistory(3_000).Split('\n', 2);
        await File.WriteAllTextAsync(file, history[0] + "\nS-99998,P998,Plain,3,1.00,2024-03-01 08:00,K2,,Dept 1 > Aisle 1\n" + history[1]
            + "S-99998,P997,Other,1,3.00,2024-03-01 08:00,K2,,Dept 1 > Aisle 1\n"
            + "S-99999,P999,Café crème,1,2.50,2024-06-01 09:00,K1,c1@example.com,Dept 1 > Aisle 1\nR-99999,P998,,-2,1.00,2024-06-02 09:00,K2,,\n",
            System.Text.Encoding.Latin1);
        try
        {
            var stored = new List<List<string>>();
            var results = new List<OrderImportResult>();
            foreach (var encoding in new[] { "auto", "latin1" })
            {
                var (database, store) = await StoreAsync(Engine.Sqlite);
                await using var _ = database;
                var r = await new OrderImporter(database.Target, store, new FakeTimeProvider(TestApp.Start))
                    .ImportAsync(() => (File.OpenRead(file), () => 0, null), new OrderImportOptions("lines", Encoding: encoding), CancellationToken.None);
                Assert.Equal("latin1", r.Encoding);
                Assert.Equal((3_002, 0, 0), (r.OrdersCreated, r.OrdersAlreadyImported, r.RejectedRows));
                results.Add(r);
                stored.Add(await StoredRowsAsync(database.Target, store));
            }
            Assert.Contains("product P999 Café crème 2.5 GBP Dept 1 > Aisle 1", stored[0]);
            Assert.Contains("line S-99998/1 P998 3 1 2", stored[0]);
            Assert.Contains("line S-99998/2 P997 1 3 0", stored[0]);
            Assert.Contains(stored[0], r => r.StartsWith("order S-99998 K2 2024-03-01T08:00:00.0000000Z 6 ", StringComparison.Ordinal));
            Assert.Equal(stored[1], stored[0]);
            // The result counts the rows once and the records made once, as a straight Latin-1 import does.
            Assert.Equal(results[1] with { Elapsed = default, Problems = [] }, results[0] with { Elapsed = default, Problems = [] });
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task MissingColumns_AreNamed()
    {
        var (database, store) = await StoreAsync(Engine.Sqlite);
        await using var _ = database;

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ImportAsync(database.Target, store, "lines-pl.csv", new OrderImportOptions("lines")));

        Assert.Contains("order_id, product_id, quantity, price, date", e.Message);
        Assert.Contains("--map", e.Message);
    }
}

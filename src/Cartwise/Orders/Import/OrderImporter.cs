using System.Diagnostics;
using System.Text;
using Cartwise.Core.Catalog;
using Cartwise.Core.Customers;
using Cartwise.Core.Orders;
using Cartwise.Core.Tracking;
using Cartwise.Catalog;
using Cartwise.Customers;
using Cartwise.Data;
using Cartwise.Importing;
using Cartwise.Stores;
using Cartwise.Tracking;
using CsvHelper;

namespace Cartwise.Orders.Import;

/// <summary>
/// Imports past orders from CSV so a shop has history on day one. Streams the file, groups rows by order, creates
/// customers and products as needed, and commits in chunks sized by <see cref="CommitSizer"/> (on an order boundary),
/// each moving the import's run (<see cref="ImportRun"/>: its progress) in the same commit. Idempotent: an order or a
/// refund invoice already imported (found by its id) is skipped, so the same file again — after a crash half-way
/// too — leaves the same data.
/// Each imported order and refund is also stored as a <c>purchase</c> / <c>refund</c> event (id <c>import:…</c>),
/// so that history replays see it. Not thread-safe.
/// </summary>
public sealed class OrderImporter(DatabaseTarget target, Store store, TimeProvider clock, IProgress<ImportProgress>? progress = null)
{
    private const int KeptProblems = 10_000;

    private sealed class PendingOrder
    {
        public required string Id;
        public bool IsRefund;
        public DateTimeOffset At;
        public string? CustomerKey;
        public string? Email;
        public string? Country;
        public string? Currency;
        public decimal Value, Shipping;
        public int Rows;
        public readonly List<OrderLineRecord> Lines = [];
    }

    /// <summary>
    /// An order line that a later cancellation of the same customer and product can refund: a struct in one array,
    /// each (customer, product)'s lines chained from the newest by <c>Next</c>. As an object per line and a list per
    /// pair (529,000 lines, 270,000 pairs in the full Online Retail file) the import's peak was 40-45 MB higher.
    /// </summary>
    private struct Refundable
    {
        public long OrderId;
        public DateTimeOffset At;
        public decimal Price;
        public int LineNo, Remaining, Next;
    }

    private readonly Dictionary<string, long> _productIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _customerIds = new(StringComparer.Ordinal);
    // First and last seen of every customer this run has met, as stored: commits widen them with their orders' times.
    private readonly Dictionary<long, (DateTimeOffset First, DateTimeOffset Last)> _seen = [];
    // The newest refundable line of each (customer, product) in _refundLines.
    private readonly Dictionary<(long Customer, long Product), int> _refundable = [];
    private Refundable[] _refundLines = new Refundable[4096];
    private int _refundLineCount;
    private readonly HashSet<string> _ordersThisRun = new(StringComparer.Ordinal);
    // Rows of each order (or refund) this reading of the file has committed; and those a first reading committed before
    // the file turned out not to be UTF-8, which the second reading passes over (an order's rows may continue further down).
    private readonly Dictionary<string, int> _committedRows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _rowsToSkip = new(StringComparer.Ordinal);
    // Customers this run created have no purchases from before it: their refundable lines are all in _refundable.
    private readonly HashSet<long> _customersThisRun = [];
    // Other customers' (customer, product) pairs whose earlier purchases were loaded from the database into _refundable.
    private readonly HashSet<(long Customer, long Product)> _loaded = [];
    private readonly List<ImportProblem> _problems = [];
    private int _ordersCreated, _ordersSkipped, _lines, _refundsMatched, _refundsUnmatched, _adjustments, _nonProduct, _customersCreated, _productsCreated;
    private long _rows, _rejected;
    private readonly ImportRunLog _run = new(target, store.Id, clock);
    private readonly CommitSizer _sizer = new(initial: 2_000, target: target.Kind == DatabaseKind.Postgres ? CommitSizer.PostgresOrderTarget : null);
    private Func<long> _position = () => 0;
    private long? _length;

    /// <summary>Imports a file; <paramref name="open"/> opens it anew (plain or decompressed) and may be called twice when the encoding must be re-detected.</summary>
    public async Task<OrderImportResult> ImportAsync(Func<(Stream Stream, Func<long> Position, long? Length)> open, OrderImportOptions options, CancellationToken ct)
    {
        await _run.StartAsync(ImportKinds.Orders, options.Source, ct);
        try
        {
            var result = await ImportFileAsync(open, options, ct);
            await _run.FinishAsync(true, _rows, new Dictionary<string, long>
            {
                ["ordersCreated"] = result.OrdersCreated, ["ordersAlreadyImported"] = result.OrdersAlreadyImported, ["lines"] = result.Lines,
                ["refundLinesMatched"] = result.RefundLinesMatched, ["refundLinesUnmatched"] = result.RefundLinesUnmatched,
                ["customersCreated"] = result.CustomersCreated, ["productsCreated"] = result.ProductsCreated, ["rejectedRows"] = result.RejectedRows,
            }, null);
            return result;
        }
        catch (Exception e)
        {
            await _run.FinishAsync(false, _rows, null, e is OperationCanceledException ? "cancelled; what was committed stays, and the same file again adds the rest" : e.Message);
            throw;
        }
    }

    private async Task<OrderImportResult> ImportFileAsync(Func<(Stream Stream, Func<long> Position, long? Length)> open, OrderImportOptions options, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var encoding = options.Encoding.ToLowerInvariant() switch
        {
            "latin1" or "latin-1" or "iso-8859-1" => "latin1",
            "utf-8" or "utf8" => "utf-8",
            _ => "auto",
        };
        if (encoding == "auto")
        {
            try
            {
                await RunAsync(open, options, strictUtf8: true, ct);
                encoding = "utf-8";
            }
            catch (DecoderFallbackException)
            {
                // Not UTF-8 after all. What was committed so far is found again and skipped: the import is idempotent.
                ResetCounters();
                await RunAsync(open, options with { Encoding = "latin1" }, strictUtf8: false, ct);
                encoding = "latin1";
            }
        }
        else await RunAsync(open, options with { Encoding = encoding }, strictUtf8: false, ct);

        return new OrderImportResult(_rows, _ordersCreated, _ordersSkipped, _lines, _refundsMatched, _refundsUnmatched, _adjustments, _nonProduct,
            _customersCreated, _productsCreated, _rejected, _problems, encoding, sw.Elapsed);
    }

    /// <summary>
    /// Before reading the file again: what the reading counts starts over, what the commits created stays. The second
    /// reading passes over the rows the first one committed, and adds the rest of an order the first one began to it.
    /// </summary>
    private void ResetCounters()
    {
        _ordersSkipped = _adjustments = _nonProduct = 0;
        foreach (var (order, rows) in _committedRows) _rowsToSkip[order] = rows;
        _committedRows.Clear();
        _rows = _rejected = 0;
        _problems.Clear();
        // The first reading's purchases are in the database now: a refund further down loads them from there.
        _refundable.Clear();
        _refundLineCount = 0;
        _customersThisRun.Clear();
        _loaded.Clear();
    }

    private async Task RunAsync(Func<(Stream Stream, Func<long> Position, long? Length)> open, OrderImportOptions options, bool strictUtf8, CancellationToken ct)
    {
        var (raw, position, length) = open();
        (_position, _length) = (position, length);
        await using var _ = raw;
        Stream input = strictUtf8 ? new Utf8CheckingStream(raw) : raw;
        var csvOptions = new CsvReaderOptions { HasHeader = true, TrackLineNumbers = true, PoolStrings = true, Encoding = options.Encoding == "latin1" ? Encoding.Latin1 : null };
        using var csv = CsvReader.Create(input, csvOptions, true);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(store.TimeZone);
        var reader = new OrderRowReader(csv, options, zone);

        var pending = new Dictionary<string, PendingOrder>(StringComparer.Ordinal);
        var rowsInChunk = 0;
        string? lastOrder = null;
        var lastReport = Stopwatch.GetTimestamp();
        while (csv.Read())
        {
            _rows++;
            var (row, problem) = reader.Current();
            if (row is null)
            {
                Reject(csv.LineNumber, problem!);
                continue;
            }
            // Commit on an order boundary, so that one order is never split between two commits.
            if (rowsInChunk >= _sizer.Size && row.OrderId != lastOrder)
            {
                await FlushAsync(pending, rowsInChunk, ct);
                rowsInChunk = 0;
            }
            lastOrder = row.OrderId;
            rowsInChunk++;
            Add(pending, row);
            if ((_rows & 0x3FFF) == 0 && progress is not null && Stopwatch.GetElapsedTime(lastReport).TotalMilliseconds > 200)
            {
                progress.Report(new ImportProgress(_rows, position(), length));
                lastReport = Stopwatch.GetTimestamp();
            }
        }
        await FlushAsync(pending, rowsInChunk, ct);
        progress?.Report(new ImportProgress(_rows, position(), length));
    }

    private void Reject(long line, string reason)
    {
        _rejected++;
        if (_problems.Count < KeptProblems) _problems.Add(new ImportProblem(line, reason));
    }

    private void Add(Dictionary<string, PendingOrder> pending, OrderLineRecord row)
    {
        var kind = OrderLineRules.Classify(row);
        if (kind == LineKind.Adjustment)
        {
            _adjustments++;
            return;
        }
        var isRefund = kind == LineKind.Refund;
        // A refund row on an ordinary invoice (lines layout) is kept apart from the sale rows of that invoice.
        var key = isRefund && !row.OrderId.StartsWith('C') ? "C" + row.OrderId : row.OrderId;
        if (_rowsToSkip.TryGetValue(key, out var committed) && committed > 0)
        {
            _rowsToSkip[key] = committed - 1;
            return;
        }
        if (!pending.TryGetValue(key, out var order))
            pending[key] = order = new PendingOrder { Id = key, IsRefund = isRefund, At = row.OccurredAt };
        order.Rows++;
        order.CustomerKey ??= row.CustomerId;
        order.Email ??= row.Email;
        order.Country ??= row.Country;
        order.Currency ??= row.Currency;
        switch (kind)
        {
            case LineKind.Shipping:
                order.Shipping += row.Quantity * row.Price;
                order.Value += row.Quantity * row.Price;
                _nonProduct++;
                break;
            case LineKind.NonProduct:
                order.Value += row.Quantity * row.Price;
                _nonProduct++;
                break;
            default:
                order.Lines.Add(row);
                if (!isRefund) order.Value += row.Quantity * row.Price;
                break;
        }
    }

    private async Task FlushAsync(Dictionary<string, PendingOrder> pending, int rows, CancellationToken ct)
    {
        if (pending.Count == 0) return;
        _sizer.Starting();
        var now = clock.GetUtcNow();
        // Plain connections, no EF: a CLI import is a short-lived process and EF's start-up would be a fifth of it.
        await using var connection = await target.OpenSessionAsync(ct);
        await using var keys = await ForeignKeyChecksOffAsync(connection, ct);
        var db = await connection.BeginAsync(ct);
        await using var tx = db.Transaction!;
        var w = RowWriter.For(db);
        var writer = new OrderWriter(w, store.Id);
        var events = new StoredEvents(w, store.Id);

        // Already imported (this file before, or an earlier run): skip, unless this run created it (its rows continue).
        var done = await StoredEvents.SeenAsync(db, store.Id, pending.Keys.Select(ImportedEvents.IdOf).ToList(), ct);
        var orders = new List<PendingOrder>();
        foreach (var o in pending.Values)
        {
            if (done.Contains(ImportedEvents.IdOf(o.Id)) && !_ordersThisRun.Contains(o.Id))
            {
                if (!o.IsRefund) _ordersSkipped++;
                continue;
            }
            orders.Add(o);
        }

        await EnsureCustomersAsync(db, new CustomerWriter(w, store.Id), orders, now, ct);
        await EnsureProductsAsync(db, new ProductWriter(w, store.Id), orders, now, ct);

        var sales = orders.Where(o => !o.IsRefund).ToList();
        var appended = sales.Where(o => _ordersThisRun.Contains(o.Id)).ToList();
        var fresh = sales.Except(appended).ToList();
        var ids = await writer.InsertAsync(
            fresh.Select(o => new Order { ExternalId = o.Id, CustomerId = CustomerOf(o), PlacedAt = o.At, Value = o.Value, Currency = o.Currency ?? store.Currency, Shipping = o.Shipping == 0 ? null : o.Shipping })
                .ToList(), ct);
        var orderIds = new Dictionary<string, (long Id, int NextLine)>(StringComparer.Ordinal);
        for (var i = 0; i < fresh.Count; i++) orderIds[fresh[i].Id] = (ids[i], 1);
        foreach (var o in appended)
        {
            // Rows of an order this run already wrote, met again further down the file: continue its lines.
            var existing = (await Sql.QueryAsync(db,
                $"""SELECT o."Id", COALESCE((SELECT MAX(l."LineNo") FROM "OrderLines" l WHERE l."OrderId" = o."Id"), 0) FROM "Orders" o WHERE {StoreSql.Filter("o")} AND o."ExternalId"=@p1""",
                [store.Id, o.Id], r => new { Id = r.GetInt64(0), Max = Convert.ToInt32(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture) }, ct)).Single();
            orderIds[o.Id] = (existing.Id, existing.Max + 1);
            await writer.AddValueAsync(existing.Id, o.Value, ct);
            await events.AddValueAsync(ImportedEvents.IdOf(o.Id), o.Value, ct);
        }
        var lines = new List<OrderLine>();
        foreach (var o in sales)
        {
            var (orderId, lineNo) = orderIds[o.Id];
            var customer = CustomerOf(o);
            foreach (var l in o.Lines)
            {
                var product = _productIds[l.ProductId];
                lines.Add(new OrderLine { OrderId = orderId, LineNo = lineNo, ProductId = product, Quantity = l.Quantity, Price = l.Price });
                if (customer is { } c)
                {
                    AddRefundable((c, product), new Refundable { OrderId = orderId, LineNo = lineNo, Remaining = l.Quantity, Price = l.Price, At = o.At });
                }
                lineNo++;
            }
            _lines += o.Lines.Count;
        }
        await writer.AddLinesAsync(lines, ct);

        await ApplyRefundsAsync(db, writer, orders.Where(o => o.IsRefund).ToList(), ct);

        // The events that make the import idempotent and replayable.
        await events.AppendAsync(orders.Where(o => !_ordersThisRun.Contains(o.Id)).Select(o =>
            new StoredEvent
            {
                EventId = ImportedEvents.IdOf(o.Id), Name = o.IsRefund ? EventNames.Refund : EventNames.Purchase, CustomerId = CustomerOf(o), OccurredAt = o.At,
                Payload = "{\"source\":\"import\"}", TransactionId = o.Id, Value = o.IsRefund ? o.Lines.Sum(l => -l.Quantity * l.Price) : o.Value, Currency = o.Currency ?? store.Currency,
            }).ToList(), now, ct);
        await _run.CommittingAsync(db, _rows, _position(), _length, ct);
        await tx.CommitAsync(ct);
        _sizer.Committed(rows);

        foreach (var o in orders) _committedRows[o.Id] = _committedRows.GetValueOrDefault(o.Id) + o.Rows;
        foreach (var o in fresh) _ordersThisRun.Add(o.Id);
        foreach (var o in orders.Where(o => o.IsRefund)) _ordersThisRun.Add(o.Id);
        _ordersCreated += fresh.Count;
        pending.Clear();
    }

    /// <summary>
    /// SQLite: the commit's inserts skip foreign-key checks, turned on again before the connection goes back to the pool.
    /// Checking each line's order and product cost a quarter of writing the lines, and the importer writes a line only
    /// for an order and a product it has just stored or found (PostgreSQL's order lines have no keys at all; a test
    /// imports the same history into both engines and compares every row).
    /// </summary>
    private static async Task<IAsyncDisposable?> ForeignKeyChecksOffAsync(DbSession session, CancellationToken ct)
    {
        if (session.Kind != DatabaseKind.Sqlite) return null;
        await Sql.ExecuteAsync(session, "PRAGMA foreign_keys=OFF", [], ct);
        return new Restore(session);
    }

    private sealed class Restore(DbSession session) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Sql.ExecuteAsync(session, "PRAGMA foreign_keys=ON", [], CancellationToken.None);
    }

    private long? CustomerOf(PendingOrder o) =>
        o.CustomerKey is { } c ? _customerIds[CustomerIdentity.ForCustomerId(c)] : o.Email is { } e ? _customerIds[CustomerIdentity.ForEmail(e)] : null;

    /// <summary>Finds or creates the customers of these orders: by the shop's customer id, else by email.</summary>
    private async Task EnsureCustomersAsync(DbSession db, CustomerWriter writer, List<PendingOrder> orders, DateTimeOffset now, CancellationToken ct)
    {
        var wanted = orders.Select(o => o.CustomerKey is { } c ? CustomerIdentity.ForCustomerId(c) : o.Email is { } e ? CustomerIdentity.ForEmail(e) : null)
            .OfType<string>().Distinct().Where(k => !_customerIds.ContainsKey(k)).ToList();
        foreach (var (key, id, first, last) in await Sql.QueryInAsync(db,
                     $$"""
                     SELECT i."Key", i."CustomerId", c."CreatedAt", c."LastSeenAt" FROM "CustomerIdentities" i JOIN "Customers" c ON c."Id"=i."CustomerId"
                     WHERE {{StoreSql.Filter("i")}} AND i."Key" IN ({in})
                     """,
                     [store.Id], wanted, r => (r.GetString(0), r.GetInt64(1), Sql.Time(r, 2), Sql.Time(r, 3)), ct))
        {
            _customerIds[key] = id;
            _seen[id] = (first, last);
        }
        var fresh = orders.Where(o => o.CustomerKey is not null || o.Email is not null)
            .GroupBy(o => o.CustomerKey is { } c ? CustomerIdentity.ForCustomerId(c) : CustomerIdentity.ForEmail(o.Email!))
            .Where(g => !_customerIds.ContainsKey(g.Key)).ToList();
        var profiles = fresh.Select(g => new CustomerProfile
        {
            ExternalId = g.First().CustomerKey, Email = g.Select(o => o.Email).FirstOrDefault(e => e is not null), Country = g.First().Country,
            CreatedAt = g.Min(o => o.At), LastSeenAt = g.Max(o => o.At), IsIdentified = true, IsNew = true,
        }).ToList();
        var ids = await writer.InsertAsync(profiles, ct);
        var identities = new List<(string, long)>();
        for (var i = 0; i < fresh.Count; i++)
        {
            _customerIds[fresh[i].Key] = ids[i];
            _seen[ids[i]] = (profiles[i].CreatedAt, profiles[i].LastSeenAt);
            _customersThisRun.Add(ids[i]);
            identities.Add((fresh[i].Key, ids[i]));
            if (fresh[i].First().CustomerKey is not null && fresh[i].Select(o => o.Email).FirstOrDefault(e => e is not null) is { } email
                && !_customerIds.ContainsKey(CustomerIdentity.ForEmail(email)))
            {
                _customerIds[CustomerIdentity.ForEmail(email)] = ids[i];
                identities.Add((CustomerIdentity.ForEmail(email), ids[i]));
            }
        }
        await writer.AddIdentitiesAsync(identities, now, ct);
        _customersCreated += fresh.Count;

        // Customers met before this commit: their orders here may be earlier or later than any seen so far.
        var widened = new List<(long, DateTimeOffset, DateTimeOffset)>();
        foreach (var g in orders.Where(o => CustomerOf(o) is not null).GroupBy(o => CustomerOf(o)!.Value))
        {
            var (first, last) = _seen[g.Key];
            var (min, max) = (g.Min(o => o.At), g.Max(o => o.At));
            if (min >= first && max <= last) continue;
            _seen[g.Key] = (min < first ? min : first, max > last ? max : last);
            widened.Add((g.Key, min, max));
        }
        await writer.WidenSeenAsync(widened, ct);
    }

    /// <summary>Finds or creates the products of these orders; a product the feed already describes keeps its feed data.</summary>
    private async Task EnsureProductsAsync(DbSession db, ProductWriter writer, List<PendingOrder> orders, DateTimeOffset now, CancellationToken ct)
    {
        var wanted = orders.SelectMany(o => o.Lines).Select(l => l.ProductId).Distinct().Where(p => !_productIds.ContainsKey(p)).ToList();
        if (wanted.Count == 0) return;
        foreach (var (external, id) in await Sql.QueryInAsync(db, $$"""SELECT "ExternalId", "Id" FROM "Products" WHERE {{StoreSql.Filter()}} AND "ExternalId" IN ({in})""",
                     [store.Id], wanted, r => (r.GetString(0), r.GetInt64(1)), ct))
            _productIds[external] = id;
        var fresh = orders.SelectMany(o => o.Lines).Where(l => !_productIds.ContainsKey(l.ProductId)).GroupBy(l => l.ProductId, StringComparer.Ordinal).ToList();
        if (fresh.Count == 0) return;
        var categories = new CategoryTree(db, store.Id, writer);
        var rows = new List<Product>(fresh.Count);
        foreach (var g in fresh)
        {
            var category = g.Select(l => l.Category).FirstOrDefault(c => c is not null);
            var categoryId = category is null ? null : await categories.EnsureAsync(CategoryPaths.Split(category), ct);
            var last = g.Last(l => l.Quantity > 0 || l == g.Last());
            rows.Add(new Product
            {
                ExternalId = g.Key,
                Name = g.Select(l => l.ProductName).FirstOrDefault(n => n is not null), Price = last.Price > 0 ? last.Price : null, Currency = last.Currency ?? store.Currency,
                CategoryId = categoryId,
            });
        }
        var ids = await writer.InsertAsync(rows, now, ct);
        for (var i = 0; i < fresh.Count; i++) _productIds[fresh[i].Key] = ids[i];
        _productsCreated += fresh.Count;
    }

    /// <summary>
    /// A cancellation refunds the same customer's most recent earlier purchase of that product that still has
    /// unrefunded units (the data does not say which invoice it cancels). Guests' cancellations cannot be matched.
    /// </summary>
    private async Task ApplyRefundsAsync(DbSession db, OrderWriter writer, List<PendingOrder> refunds, CancellationToken ct)
    {
        var lineUpdates = new Dictionary<(long Order, int Line), int>();
        var orderUpdates = new Dictionary<long, (decimal Value, DateTimeOffset At)>();
        foreach (var r in refunds)
        {
            var customer = CustomerOf(r);
            foreach (var l in r.Lines)
            {
                var product = _productIds[l.ProductId];
                if (customer is { } c && !_customersThisRun.Contains(c) && _loaded.Add((c, product))) await LoadRefundableAsync(db, c, product, ct);
                var candidates = customer is { } cc
                    ? RefundAllocation.LatestFirst(RefundableLines((cc, product)).Where(i => _refundLines[i].Remaining > 0), i => _refundLines[i].At, r.At) : [];
                if (candidates.Count == 0)
                {
                    _refundsUnmatched++;
                    continue;
                }
                var (taken, _) = RefundAllocation.Allocate(Math.Abs(l.Quantity), candidates.Select(i => _refundLines[i].Remaining).ToList());
                for (var i = 0; i < candidates.Count; i++)
                {
                    if (taken[i] == 0) continue;
                    ref var line = ref _refundLines[candidates[i]];
                    line.Remaining -= taken[i];
                    lineUpdates[(line.OrderId, line.LineNo)] = lineUpdates.GetValueOrDefault((line.OrderId, line.LineNo)) + taken[i];
                    var (value, _) = orderUpdates.GetValueOrDefault(line.OrderId);
                    orderUpdates[line.OrderId] = (value + taken[i] * line.Price, r.At);
                }
                _refundsMatched++;
            }
        }
        await writer.RefundAsync(lineUpdates.Select(kv => (kv.Key.Order, kv.Key.Line, kv.Value)).ToList(),
            orderUpdates.Select(kv => (kv.Key, kv.Value.Value, kv.Value.At)).ToList(), ct);
    }

    /// <summary>Purchases from before this run (an earlier import or tracking) that a cancellation may refund.</summary>
    private async Task LoadRefundableAsync(DbSession db, long customer, long product, CancellationToken ct)
    {
        // From the customer's orders (indexed) to their lines: order lines have no index by product.
        var lines = await Sql.QueryAsync(db,
            $"""
            SELECT l."OrderId", l."LineNo", l."Quantity", l."RefundedQuantity", l."Price", o."PlacedAt"
            FROM "Orders" o JOIN "OrderLines" l ON l."OrderId" = o."Id"
            WHERE {StoreSql.Check("o")} AND o."CustomerId"=@p1 AND l."ProductId"=@p2 AND l."RefundedQuantity" < l."Quantity"
            """, [store.Id, customer, product],
            r => new { OrderId = r.GetInt64(0), LineNo = r.GetInt32(1), Quantity = r.GetInt32(2), RefundedQuantity = r.GetInt32(3), Price = Sql.Money(r, 4), At = Sql.Time(r, 5) }, ct);
        // The lines this run wrote are in memory already, with what this commit's refunds took so far: those stay.
        var known = RefundableLines((customer, product)).Select(i => (_refundLines[i].OrderId, _refundLines[i].LineNo)).ToHashSet();
        foreach (var l in lines.Where(l => !known.Contains((l.OrderId, l.LineNo))))
            AddRefundable((customer, product), new Refundable { OrderId = l.OrderId, LineNo = l.LineNo, Remaining = l.Quantity - l.RefundedQuantity, Price = l.Price, At = l.At });
    }

    private void AddRefundable((long Customer, long Product) key, Refundable line)
    {
        if (_refundLineCount == _refundLines.Length) Array.Resize(ref _refundLines, _refundLines.Length * 2);
        line.Next = _refundable.TryGetValue(key, out var newest) ? newest : -1;
        _refundLines[_refundLineCount] = line;
        _refundable[key] = _refundLineCount++;
    }

    /// <summary>The indexes of a pair's refundable lines in the order they were added (ties in time go to the first).</summary>
    private List<int> RefundableLines((long Customer, long Product) key)
    {
        var chain = new List<int>();
        for (var i = _refundable.GetValueOrDefault(key, -1); i >= 0; i = _refundLines[i].Next) chain.Add(i);
        chain.Reverse();
        return chain;
    }
}

/// <summary>Passes bytes through and throws <see cref="DecoderFallbackException"/> at the first byte sequence that is not UTF-8.</summary>
internal sealed class Utf8CheckingStream(Stream inner) : Data.CheckingStream(inner)
{
    private readonly Decoder _decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();

    protected override int Check(ReadOnlySpan<byte> bytes)
    {
        _decoder.GetCharCount(bytes, flush: bytes.Length == 0);
        return bytes.Length;
    }
}

using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using Cartwise.Core.Coupons;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Importing;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Coupons;

public sealed record PoolRequest([property: Required, MaxLength(200)] string Name, [property: Range(0, 1_000_000)] int LowWarning = 100);

/// <summary>A pool with its counts; <see cref="Warning"/> says when fewer than <see cref="LowWarning"/> codes are free.</summary>
public sealed record PoolView(long Id, string Name, int Total, int Free, int Given, int LowWarning, bool Low, string? Warning);

public sealed record GenerateRequest([property: Range(1, 100_000)] int Count, [property: MaxLength(64)] string? Pattern, [property: Range(4, 64)] int Length = 10, string? Alphabet = null);

public sealed record RejectedCode(int Line, string Error);

/// <summary>The first rows of a CSV of codes, to pick the column holding them; its columns by header name (or number without a header).</summary>
public sealed record CsvPreview(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, string? Problem);

public sealed record CodesAdded(int Added, int Duplicates, IReadOnlyList<RejectedCode> Rejected, PoolView Pool);

public static class CouponEndpoints
{
    public static IEndpointRouteBuilder MapCouponEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/coupon-pools").RequireAuthorization(KeyAuth.AdminPolicy).WithTags("Coupons");
        g.MapGet("/", ListAsync).WithSummary("Coupon pools with total, free and given codes, and a warning when a pool runs low.");
        g.MapPost("/", CreateAsync).WithSummary("Create an empty pool.");
        g.MapGet("/{id:long}", GetAsync).WithSummary("One pool with its counts.");
        g.MapPost("/{id:long}/import", ImportAsync).WithSummary("Add codes from a CSV body (text/csv); ?column= names the column (header name or 1-based number), ?header=false for none.");
        g.MapPost("/{id:long}/generate", GenerateAsync).WithSummary("Add random unique codes from a pattern ('#' = a random character), length and alphabet.");
        return app;
    }

    internal static async Task<Ok<ItemsPage<PoolView>>> ListAsync(CartwiseDb db, CancellationToken ct)
    {
        var pools = await db.CouponPools.AsNoTracking().OrderBy(p => p.Id).ToListAsync(ct);
        var views = new List<PoolView>();
        foreach (var p in pools) views.Add(await ViewAsync(db, p, ct));
        return TypedResults.Ok(new ItemsPage<PoolView>(views));
    }

    internal static async Task<Results<Ok<PoolView>, NotFound>> GetAsync(long id, CartwiseDb db, CancellationToken ct) =>
        await db.CouponPools.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct) is { } p ? TypedResults.Ok(await ViewAsync(db, p, ct)) : TypedResults.NotFound();

    internal static async Task<Created<PoolView>> CreateAsync(PoolRequest request, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        var pool = new CouponPool { StoreId = db.CurrentStoreId, Name = request.Name.Trim(), LowWarning = request.LowWarning, CreatedAt = clock.GetUtcNow() };
        db.CouponPools.Add(pool);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/coupon-pools/{pool.Id}", await ViewAsync(db, pool, ct));
    }

    internal static async Task<PoolView> ViewAsync(CartwiseDb db, CouponPool p, CancellationToken ct)
    {
        var total = await db.CouponCodes.CountAsync(c => c.PoolId == p.Id, ct);
        var free = await db.CouponCodes.CountAsync(c => c.PoolId == p.Id && c.OutboxId == null, ct);
        var low = free < p.LowWarning;
        return new PoolView(p.Id, p.Name, total, free, total - free, p.LowWarning, low,
            free == 0 ? $"pool '{p.Name}' is empty: messages with its coupon fail until codes are added"
            : low ? $"pool '{p.Name}' has {free} free codes left (warning below {p.LowWarning})" : null);
    }

    /// <summary>The largest CSV of codes accepted (a million codes of 16 characters).</summary>
    public const int MaxImportBytes = 16 << 20;

    internal static async Task<Results<Ok<CodesAdded>, NotFound, ValidationProblem, ProblemHttpResult>> ImportAsync(long id, HttpRequest http, CartwiseDb db, TimeProvider clock,
        string? column, bool? header, CancellationToken ct)
    {
        if (http.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxImportBytes;
        if (!await db.CouponPools.AnyAsync(p => p.Id == id, ct)) return TypedResults.NotFound();
        // The CSV reader reads synchronously; the body is buffered first (Kestrel allows no synchronous reads).
        using var body = new MemoryStream();
        await http.Body.CopyToAsync(body, ct);
        body.Position = 0;
        return await ImportCsvAsync(db, clock, id, body, "CSV sent to the API", column, header, ct);
    }

    /// <summary>The columns and first <paramref name="rows"/> rows of a CSV, read as the import reads it.</summary>
    internal static CsvPreview PreviewCsv(Stream body, bool header, int rows = 5)
    {
        try
        {
            using var csv = CsvReader.Create(body, new CsvReaderOptions { HasHeader = header, TrackLineNumbers = true, Encoding = Encoding.UTF8 }, true);
            var first = new List<IReadOnlyList<string>>();
            while (first.Count < rows && csv.Read())
                first.Add(Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i)).ToList());
            var width = Math.Max(first.Count == 0 ? 0 : first.Max(r => r.Count), header ? csv.Headers.Count : 0);
            var columns = header
                ? csv.Headers.Select((h, i) => string.IsNullOrWhiteSpace(h) ? (i + 1).ToString(CultureInfo.InvariantCulture) : h.Trim()).ToList()
                : Enumerable.Range(1, width).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
            return new CsvPreview(columns, first, first.Count == 0 ? "the file has no rows" : null);
        }
        catch (CsvFormatException e)
        {
            return new CsvPreview([], [], "malformed CSV: " + e.Message);
        }
    }

    /// <summary>Adds the codes of a CSV (the API's body, or a file uploaded in the coupons step) to a pool.</summary>
    /// <param name="source">Where the CSV came from, as the import's run shows it.</param>
    internal static async Task<Results<Ok<CodesAdded>, NotFound, ValidationProblem, ProblemHttpResult>> ImportCsvAsync(CartwiseDb db, TimeProvider clock, long id, Stream body,
        string source, string? column, bool? header, CancellationToken ct)
    {
        var pool = await db.CouponPools.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (pool is null) return TypedResults.NotFound();
        var hasHeader = header ?? true;
        var codes = new List<(int Line, string Code)>();
        var rejected = new List<RejectedCode>();
        try
        {
            using var csv = CsvReader.Create(body, new CsvReaderOptions { HasHeader = hasHeader, TrackLineNumbers = true, Encoding = Encoding.UTF8 }, true);
            var index = 0;
            if (column is { Length: > 0 })
            {
                if (int.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1) index = n - 1;
                else if (!hasHeader) return Problems.Field("column", "without a header row, name the column by its 1-based number");
                else
                {
                    var headers = csv.Headers.ToArray();
                    index = Array.FindIndex(headers, h => string.Equals(h.Trim(), column, StringComparison.OrdinalIgnoreCase));
                    if (index < 0) return Problems.Field("column", $"no column '{column}'; the header has {string.Join(", ", headers)}");
                }
            }
            while (csv.Read())
            {
                var line = (int)csv.LineNumber;
                if (index >= csv.FieldCount)
                {
                    rejected.Add(new(line, $"the row has {csv.FieldCount} column(s), no column {index + 1}"));
                    continue;
                }
                var code = csv.GetString(index).Trim();
                if (code.Length == 0) rejected.Add(new(line, "empty code"));
                else if (code.Length > 64) rejected.Add(new(line, "longer than 64 characters"));
                else if (code.Any(char.IsWhiteSpace)) rejected.Add(new(line, "a code cannot contain spaces"));
                else codes.Add((line, code));
            }
        }
        catch (CsvFormatException e)
        {
            return Problems.Field("body", "malformed CSV: " + e.Message);
        }
        if (codes.Count == 0) return Problems.Field("body", rejected.Count > 0 ? $"no valid code; first problem on line {rejected[0].Line}: {rejected[0].Error}" : "no codes in the body");
        return TypedResults.Ok(await AddAsync(db, clock, pool, new ImportSource(source), codes.Select(c => c.Code).ToList(), rejected, ct));
    }

    internal static async Task<Results<Ok<CodesAdded>, NotFound, ValidationProblem, ProblemHttpResult>> GenerateAsync(long id, GenerateRequest request, CartwiseDb db, TimeProvider clock,
        CancellationToken ct)
    {
        var pool = await db.CouponPools.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (pool is null) return TypedResults.NotFound();
        var pattern = new CouponPattern(request.Pattern, request.Length, request.Alphabet is { Length: > 0 } a ? a : CouponPattern.Unambiguous);
        if (pattern.Problem(request.Count) is { } problem) return Problems.Field(request.Pattern is null ? "length" : "pattern", problem);
        var taken = await CodesAsync(db, id, ct);
        var codes = CouponGenerator.Generate(pattern, request.Count, taken);
        return TypedResults.Ok(await AddAsync(db, clock, pool, new ImportSource($"{codes.Count:N0} generated codes"), codes, [], ct, taken));
    }

    /// <summary>The pool's codes.</summary>
    private static async Task<HashSet<string>> CodesAsync(CartwiseDb db, long poolId, CancellationToken ct) =>
        (await db.CouponCodes.Where(c => c.PoolId == poolId).Select(c => c.Code).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Adds codes not yet in the pool, in commits sized by <see cref="CommitSizer"/>: a commit holds SQLite's one writer,
    /// so tracking never waits long behind a million codes. Each commit moves the import's run (its progress). An import
    /// cut off half-way (a crash, a dropped connection) keeps the chunks it committed, and the same file sent again adds
    /// the rest: a code already in the pool, or added by another request at the same moment, is skipped.
    /// </summary>
    /// <param name="existing">The pool's codes when the caller has read them already.</param>
    private static async Task<CodesAdded> AddAsync(CartwiseDb db, TimeProvider clock, CouponPool pool, ImportSource source, IReadOnlyCollection<string> codes,
        List<RejectedCode> rejected, CancellationToken ct, HashSet<string>? existing = null)
    {
        var run = new ImportRunLog(DatabaseTarget.FromContext(db), pool.StoreId, clock);
        await run.StartAsync(ImportKinds.Coupons, $"{source.Name} → pool '{pool.Name}'", ct, totalRows: codes.Count);
        existing ??= await CodesAsync(db, pool.Id, ct);
        var added = 0;
        var duplicates = 0;
        var read = 0;
        var sizer = new CommitSizer(initial: 5_000);
        var chunk = new List<object?[]>();
        try
        {
            foreach (var code in codes)
            {
                read++;
                if (!existing.Add(code))
                {
                    duplicates++;
                    continue;
                }
                chunk.Add([pool.StoreId, pool.Id, code]);
                if (chunk.Count >= sizer.Size) added += await CommitAsync(db, run, read, sizer, chunk, ct);
            }
            added += await CommitAsync(db, run, read, sizer, chunk, ct);
        }
        catch (Exception e)
        {
            await run.FinishAsync(false, read, null, e is OperationCanceledException ? "cancelled; the codes committed stay, and the same file again adds the rest" : e.Message);
            throw;
        }
        await run.FinishAsync(true, read, new Dictionary<string, long> { ["added"] = added, ["alreadyInPool"] = duplicates, ["rejected"] = rejected.Count }, null);
        Telemetry.ImportedRows.Add(added, Telemetry.Tag("kind", ImportKinds.Coupons));
        return new CodesAdded(added, duplicates, rejected.Take(100).ToList(), await ViewAsync(db, pool, ct));
    }

    /// <summary>Commits one chunk of new codes with the run's progress and empties it; returns how many it held.</summary>
    private static async Task<int> CommitAsync(CartwiseDb db, ImportRunLog run, int read, CommitSizer sizer, List<object?[]> chunk, CancellationToken ct)
    {
        if (chunk.Count == 0) return 0;
        sizer.Starting();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await RowWriter.For(db).InsertAsync("CouponCodes", ["StoreId", "PoolId", "Code"], chunk, ct, "ON CONFLICT DO NOTHING");
        await run.CommittingAsync(DbSession.From(db), read, null, null, ct);
        await tx.CommitAsync(ct);
        var count = chunk.Count;
        sizer.Committed(count);
        chunk.Clear();
        return count;
    }
}

using Cartwise.Data;

namespace Cartwise.Orders.Import;

/// <summary>How to read an order-history file.</summary>
/// <param name="Format"><c>online-retail</c> (the UCI Online Retail layout) or <c>lines</c> (any order-line CSV, columns named or mapped).</param>
/// <param name="Map">Column name → field (order_id, product_id, product_name, quantity, price, date, customer_id, email, country, category, currency).</param>
/// <param name="DateFormat">A .NET date format for the date column; default: the layout's own (online-retail) or ISO 8601.</param>
/// <param name="Culture">Culture for numbers and dates (e.g. pl-PL for "12,50"); default invariant.</param>
/// <param name="Encoding"><c>auto</c> (UTF-8, falling back to Latin-1 at the first invalid byte), <c>utf-8</c> or <c>latin1</c>.</param>
/// <param name="ShiftDays">Whole days every date is moved by, at the same local time (the demo's history brought up to date).</param>
/// <param name="Source">Where the rows come from (the file's name), as the import's run shows it.</param>
public sealed record OrderImportOptions(
    string Format,
    IReadOnlyDictionary<string, string>? Map = null,
    string? DateFormat = null,
    string? Culture = null,
    string Encoding = "auto",
    int ShiftDays = 0,
    string Source = "file");

/// <summary>What an order import did. Every figure counts rows or records of this run only.</summary>
public sealed record OrderImportResult(
    long Rows,
    int OrdersCreated,
    int OrdersAlreadyImported,
    int Lines,
    int RefundLinesMatched,
    int RefundLinesUnmatched,
    int AdjustmentRowsSkipped,
    int NonProductRows,
    int CustomersCreated,
    int ProductsCreated,
    long RejectedRows,
    IReadOnlyList<ImportProblem> Problems,
    string Encoding,
    TimeSpan Elapsed);

/// <summary>Progress of a running import, for a progress bar.</summary>
public readonly record struct ImportProgress(long Rows, long Bytes, long? TotalBytes);

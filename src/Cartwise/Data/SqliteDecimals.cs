using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cartwise.Data;

/// <summary>
/// Exact addition of decimals on SQLite. A decimal column there holds invariant text, and SQL's <c>+</c> reads both
/// sides as binary floating point: an order refunded 20.03 twice stored 40.059999999999995. Statements that add to
/// a stored amount call <see cref="AddFunction"/> instead (<see cref="Sql.AddDecimal"/> writes the expression for
/// either engine), which adds the two as .NET decimals. Installed on every native connection with its pragmas.
/// </summary>
internal static class SqliteDecimals
{
    /// <summary>The SQL function: <c>cartwise_decimal_add(a, b)</c>, null when either side is null.</summary>
    public const string AddFunction = "cartwise_decimal_add";

    private static readonly delegate_function_scalar Add = AddValues;

    public static void Install(SqliteConnection connection)
    {
        var rc = raw.sqlite3_create_function(connection.Handle!, AddFunction, 2, raw.SQLITE_UTF8 | raw.SQLITE_DETERMINISTIC, null, Add);
        if (rc != raw.SQLITE_OK) throw new InvalidOperationException($"sqlite3_create_function failed with {rc}.");
    }

    private static void AddValues(sqlite3_context context, object userData, sqlite3_value[] args)
    {
        if (raw.sqlite3_value_type(args[0]) == raw.SQLITE_NULL || raw.sqlite3_value_type(args[1]) == raw.SQLITE_NULL)
        {
            raw.sqlite3_result_null(context);
            return;
        }
        try
        {
            var sum = Parse(args[0]) + Parse(args[1]);
            raw.sqlite3_result_text(context, sum.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            raw.sqlite3_result_error(context, $"{AddFunction}: {e.Message}");
        }
    }

    private static decimal Parse(sqlite3_value value) =>
        decimal.Parse(raw.sqlite3_value_text(value).utf8_to_string(), NumberStyles.Float, CultureInfo.InvariantCulture);
}

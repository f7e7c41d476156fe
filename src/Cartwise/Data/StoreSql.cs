namespace Cartwise.Data;

/// <summary>
/// The store filter of every raw statement on a store's rows. By convention the store id is always parameter
/// <c>@p0</c> (the first fixed argument of <see cref="Sql"/>, the first value of every <see cref="RowWriter"/> row), so
/// a statement reads <c>WHERE {StoreSql.Filter()} AND …</c> and a reviewer finds the filter in one place.
/// </summary>
public static class StoreSql
{
    /// <summary><c>"StoreId"=@p0</c>, qualified by <paramref name="alias"/> when given.</summary>
    public static string Filter(string? alias = null) => alias is null ? "\"StoreId\"=@p0" : $"{alias}.\"StoreId\"=@p0";

    /// <summary>
    /// The same filter written so that no planner picks an index by it (<c>+"StoreId"=@p0</c>), for statements whose
    /// other condition has its own index: every index that leads with the store matches the plain filter, and SQLite
    /// without statistics may take one and read all of the store's rows instead of one customer's.
    /// </summary>
    public static string Check(string? alias = null) => "+" + Filter(alias);
}

namespace Cartwise.Tests.Infrastructure;

/// <summary>Small data files shipped with the tests (Fixtures/).</summary>
public static class Fixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
}

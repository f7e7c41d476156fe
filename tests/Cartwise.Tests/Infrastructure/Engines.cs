namespace Cartwise.Tests.Infrastructure;

/// <summary>Theory data: every storage test runs once per database engine.</summary>
public sealed class Engines : TheoryData<Engine>
{
    public Engines()
    {
        Add(Engine.Sqlite);
        Add(Engine.Postgres);
    }
}

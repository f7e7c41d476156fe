namespace Cartwise.Data;

/// <summary>A line of an imported file that could not be read (order history, events), and why.</summary>
public sealed record ImportProblem(long Line, string Reason);

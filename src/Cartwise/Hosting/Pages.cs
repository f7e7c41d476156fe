namespace Cartwise.Hosting;

/// <summary>A list the API gives whole: <c>{"items":[…]}</c>, an object so that fields can be added later.</summary>
public sealed record ItemsPage<T>(IReadOnlyList<T> Items);

/// <summary>One page of a longer list: <c>{"items":[…],"next":…}</c>; <see cref="Next"/> is the cursor of the next page, null on the last.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long? Next);

using System.Collections.Concurrent;

namespace Cartwise.Hosting;

/// <summary>
/// A small time-bound cache where concurrent misses of one key share a single load: a burst of requests with a new
/// key costs one database query, not one per request. Thread-safe. A failed load is not cached.
/// </summary>
public sealed class SingleFlightCache<TKey, TValue>(TimeProvider clock, TimeSpan lifetime) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (Task<TValue> Load, DateTimeOffset Expires)> _entries = new();

    public async Task<TValue> GetAsync(TKey key, Func<TKey, Task<TValue>> load)
    {
        var now = clock.GetUtcNow();
        while (true)
        {
            if (_entries.TryGetValue(key, out var entry) && entry.Expires > now && !entry.Load.IsFaulted && !entry.Load.IsCanceled)
                return await entry.Load;
            var fresh = (Load: load(key), Expires: now + lifetime);
            if (entry.Load is null ? _entries.TryAdd(key, fresh) : _entries.TryUpdate(key, fresh, entry))
                return await fresh.Load;
            // Someone else started a load meanwhile: use theirs.
        }
    }
}

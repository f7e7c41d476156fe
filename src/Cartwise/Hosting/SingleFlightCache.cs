using System.Collections.Concurrent;

namespace Cartwise.Hosting;

/// <summary>
/// A small time-bound cache where concurrent misses of one key share a single load: a burst of requests with a new
/// key costs one database query, not one per request. Thread-safe. A failed load is not cached. At most
/// <paramref name="capacity"/> entries are kept: keys can come from strangers (a random API key per request), so a
/// full cache drops its expired entries, and everything when that is not enough.
/// </summary>
public sealed class SingleFlightCache<TKey, TValue>(TimeProvider clock, TimeSpan lifetime, int capacity = 10_000) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (Task<TValue> Load, DateTimeOffset Expires)> _entries = new();

    /// <summary>The number of entries held (expired ones included until they are dropped).</summary>
    public int Count => _entries.Count;

    /// <summary>Drops <paramref name="key"/>: the next read loads it again.</summary>
    public void Forget(TKey key) => _entries.TryRemove(key, out _);

    public async Task<TValue> GetAsync(TKey key, Func<TKey, Task<TValue>> load)
    {
        var now = clock.GetUtcNow();
        if (_entries.Count >= capacity && !_entries.ContainsKey(key))
        {
            foreach (var (k, e) in _entries)
                if (e.Expires <= now) _entries.TryRemove(k, out _);
            if (_entries.Count >= capacity) _entries.Clear();
        }
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

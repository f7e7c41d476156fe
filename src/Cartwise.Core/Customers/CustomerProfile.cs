namespace Cartwise.Core.Customers;

/// <summary>What a customer profile knows of a person: the fields that resolving and merging identities read and change.</summary>
public class CustomerProfile
{
    /// <summary>The stored id; negative for a profile new in this batch.</summary>
    public long Id { get; set; }
    /// <summary>The shop's own customer id.</summary>
    public string? ExternalId { get; set; }
    /// <summary>Trimmed and lower-cased.</summary>
    public string? Email { get; set; }
    /// <summary>E.164.</summary>
    public string? Phone { get; set; }
    /// <summary>ISO 3166 country, when the source knows it (an order file's country column).</summary>
    public string? Country { get; set; }
    /// <summary>The language of the latest visit that named one.</summary>
    public string? Language { get; set; }
    /// <summary>The latest email consent decision; null when never asked.</summary>
    public bool? Consent { get; set; }
    /// <summary>When <see cref="Consent"/> was decided.</summary>
    public DateTimeOffset? ConsentAt { get; set; }
    /// <summary>Where the consent came from (<c>tracking:page_view</c>, <c>confirm</c>…).</summary>
    public string? ConsentSource { get; set; }
    /// <summary>The first time the person was seen.</summary>
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The latest time the person was seen.</summary>
    public DateTimeOffset LastSeenAt { get; set; }
    /// <summary>True once a customer id, email or phone is known.</summary>
    public bool IsIdentified { get; set; }
    /// <summary>Not stored yet.</summary>
    public bool IsNew { get; set; }
}

/// <summary>
/// Several profiles turn out to be one person (an event names keys of each): the oldest survives and takes over what
/// the others knew. Pure: the caller moves rows and stores the result.
/// </summary>
public static class ProfileMerge
{
    /// <summary>
    /// The profiles with the survivor first: the oldest; of two equally old, a stored one before a new one, then the
    /// lower id. The order never depends on the order the keys came in.
    /// </summary>
    public static List<T> SurvivorFirst<T>(IEnumerable<T> profiles) where T : CustomerProfile =>
        profiles.OrderBy(c => c.CreatedAt).ThenBy(c => c.IsNew).ThenBy(c => Math.Abs(c.Id)).ToList();

    /// <summary>
    /// <paramref name="survivor"/> takes what <paramref name="loser"/> knew: identity fields it lacks, the later
    /// last-seen (with that visit's language), and the later consent decision.
    /// </summary>
    public static void Absorb(CustomerProfile survivor, CustomerProfile loser)
    {
        survivor.ExternalId ??= loser.ExternalId;
        survivor.Email ??= loser.Email;
        survivor.Phone ??= loser.Phone;
        survivor.IsIdentified |= loser.IsIdentified;
        if (loser.LastSeenAt > survivor.LastSeenAt)
        {
            survivor.LastSeenAt = loser.LastSeenAt;
            survivor.Language = loser.Language ?? survivor.Language;
        }
        else survivor.Language ??= loser.Language;
        if (loser.ConsentAt is { } at && (survivor.ConsentAt is null || at > survivor.ConsentAt))
        {
            survivor.Consent = loser.Consent;
            survivor.ConsentAt = loser.ConsentAt;
            survivor.ConsentSource = loser.ConsentSource;
        }
    }
}

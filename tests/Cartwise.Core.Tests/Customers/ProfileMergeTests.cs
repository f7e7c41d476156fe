using Cartwise.Core.Customers;

namespace Cartwise.Core.Tests.Customers;

public sealed class ProfileMergeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_oldest_profile_survives_whatever_order_the_keys_came_in()
    {
        var browser = new CustomerProfile { Id = 7, CreatedAt = T0.AddDays(2) };
        var account = new CustomerProfile { Id = 3, CreatedAt = T0 };
        var fresh = new CustomerProfile { Id = -1, CreatedAt = T0, IsNew = true };
        Assert.Same(account, ProfileMerge.SurvivorFirst([browser, fresh, account])[0]);
        Assert.Same(account, ProfileMerge.SurvivorFirst([fresh, account, browser])[0]);
        // Equally old: the stored profile before the one new in this batch.
        Assert.Equal([account, fresh, browser], ProfileMerge.SurvivorFirst([browser, fresh, account]));
    }

    [Fact]
    public void The_survivor_keeps_its_identity_and_fills_what_it_lacks()
    {
        var survivor = new CustomerProfile { Email = "ann@example.com", CreatedAt = T0, LastSeenAt = T0 };
        var loser = new CustomerProfile { Email = "other@example.com", ExternalId = "K-1", Phone = "+48123456789", IsIdentified = true, CreatedAt = T0.AddDays(1), LastSeenAt = T0 };
        ProfileMerge.Absorb(survivor, loser);
        Assert.Equal("ann@example.com", survivor.Email);
        Assert.Equal("K-1", survivor.ExternalId);
        Assert.Equal("+48123456789", survivor.Phone);
        Assert.True(survivor.IsIdentified);
    }

    [Fact]
    public void The_later_visit_and_the_later_consent_win()
    {
        var survivor = new CustomerProfile { Language = "en", LastSeenAt = T0, Consent = true, ConsentAt = T0, ConsentSource = "tracking:page_view" };
        var loser = new CustomerProfile { Language = "pl", LastSeenAt = T0.AddHours(3), Consent = false, ConsentAt = T0.AddHours(1), ConsentSource = "tracking:purchase" };
        ProfileMerge.Absorb(survivor, loser);
        Assert.Equal(T0.AddHours(3), survivor.LastSeenAt);
        Assert.Equal("pl", survivor.Language);
        Assert.False(survivor.Consent);
        Assert.Equal("tracking:purchase", survivor.ConsentSource);

        // An older visit only fills a missing language; an older consent changes nothing.
        var older = new CustomerProfile { Language = "de", LastSeenAt = T0, Consent = true, ConsentAt = T0 };
        ProfileMerge.Absorb(survivor, older);
        Assert.Equal("pl", survivor.Language);
        Assert.False(survivor.Consent);
        var silent = new CustomerProfile { LastSeenAt = T0 };
        ProfileMerge.Absorb(silent, older);
        Assert.Equal("de", silent.Language);
    }
}

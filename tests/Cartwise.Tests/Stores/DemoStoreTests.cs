using System.Net;
using Cartwise.Storefront;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Tests.Stores;

/// <summary>A fresh demo looks like a live shop: history up to last week, pictures that load, a little traffic.</summary>
public sealed class DemoStoreTests
{
    [Fact]
    public async Task AFreshDemo_EndsInTheLastWeek_WithWeekdaysKept_RevenueInTheLast30Days_AndEveryPictureLoads()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite, demo: true);
        await using var db = app.Database.CreateContext();
        var store = await db.Stores.SingleAsync(s => s.Slug == DemoStore.Slug);
        db.CurrentStoreId = store.Id;
        var today = StoreFigures.DayOf(store, app.Clock.GetUtcNow());

        var last = StoreFigures.DayOf(store, await db.Orders.MaxAsync(o => o.PlacedAt));
        Assert.InRange(last, today.AddDays(-7), today.AddDays(-1));
        Assert.Equal(DemoStore.HistoryLastDay.DayOfWeek, last.DayOfWeek);
        var sales = await StoreFigures.SalesAsync(db, today.AddDays(-29), today, CancellationToken.None);
        Assert.True(sales.Revenue > 0 && sales.Orders > 0, $"{sales.Orders} orders, {sales.Revenue} in the last 30 days");
        // The imported events moved with their orders.
        Assert.Equal(last, StoreFigures.DayOf(store, await db.Events.Where(e => e.Name == Core.Tracking.EventNames.Purchase).MaxAsync(e => e.OccurredAt)));

        var images = await db.Products.Select(p => p.ImageLink).ToListAsync();
        Assert.DoesNotContain(images, i => i == null || i.Contains(DemoStore.FeedHost, StringComparison.Ordinal));
        using var http = app.Anonymous();
        var failed = new List<string>();
        foreach (var chunk in images.Chunk(16))
            foreach (var (url, response) in await Task.WhenAll(chunk.Select(async u => (u, await http.GetAsync(u)))))
            {
                if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType is not "image/svg+xml") failed.Add($"{url}: {(int)response.StatusCode}");
                response.Dispose();
            }
        Assert.True(failed.Count == 0, $"{failed.Count} of {images.Count} pictures failed: {string.Join(", ", failed.Take(5))}");
    }

    [Fact]
    public async Task DemoTraffic_GoesThroughTheTrackingPath_Labelled_WithAnOccasionalOrder()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite, demo: true);
        var traffic = ActivatorUtilities.CreateInstance<DemoTraffic>(app.App.Services, new Random(4));
        var stored = 0;
        for (var i = 0; i < 150; i++)
        {
            stored += await traffic.VisitAsync(CancellationToken.None);
            app.Clock.Advance(TimeSpan.FromSeconds(30));
        }

        await using var db = app.Database.CreateContext();
        db.CurrentStoreId = await db.Stores.Where(s => s.Slug == DemoStore.Slug).Select(s => s.Id).SingleAsync();
        var events = await db.Events.Where(e => e.EventId.StartsWith(DemoTraffic.Source)).ToListAsync();
        Assert.Equal(stored, events.Count);
        Assert.True(events.Count >= 150);
        Assert.All(events, e => Assert.Equal((DemoTraffic.Source, DemoTraffic.Medium), (e.UtmSource, e.UtmMedium)));
        Assert.Contains(events, e => e.Name == Core.Tracking.EventNames.AddToCart);
        var orders = await db.Orders.Where(o => o.ExternalId.StartsWith(DemoTraffic.Source)).ToListAsync();
        Assert.NotEmpty(orders);
        Assert.All(orders, o => Assert.NotNull(o.CustomerId));
        // Live, not history: the last 24 hours of the overview see them.
        Assert.True((await StoreFigures.EventsSinceAsync(db, app.Clock.GetUtcNow().AddHours(-1), CancellationToken.None)).Values.Sum() > 0);
    }
}

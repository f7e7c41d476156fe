using System.Net;
using Cartwise.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Tests.Stores;

public sealed class IsolationTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task AnotherStoresIds_Answer404_AndItsDataIsNotCounted(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var a = await app.CreateStoreAsync("shop-a");
        var b = await app.CreateStoreAsync("shop-b");
        using var trackA = app.Tracking(a);
        using var adminA = app.Admin(a);
        using var adminB = app.Admin(b);
        await trackA.PostJsonAsync("/api/v1/track", """{"name":"purchase","email":"x@example.com","transaction_id":"T1","items":[{"item_id":"p","price":1}]}""");
        var id = (await adminA.GetJsonAsync("/api/v1/customers?email=x@example.com")).GetProperty("items")[0].GetProperty("id").GetInt64();

        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"/api/v1/customers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"/api/v1/customers/{id}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"/api/v1/customers/{id}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.DeleteAsync($"/api/v1/customers/{id}")).StatusCode);
        Assert.Empty((await adminB.GetJsonAsync("/api/v1/customers?email=x@example.com")).GetProperty("items").EnumerateArray());
        var statsB = await adminB.GetJsonAsync("/api/v1/stats");
        Assert.Equal(0, statsB.GetProperty("events").GetInt32());
        Assert.Equal(0, statsB.GetProperty("orders").GetInt32());
        Assert.Equal("shop-b", (await adminB.GetJsonAsync("/api/v1/store")).GetProperty("slug").GetString());
        // A's customer is intact after B's attempt to erase it.
        Assert.Equal("x@example.com", (await adminA.GetJsonAsync($"/api/v1/customers/{id}")).GetProperty("customer").GetProperty("email").GetString());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task SameIdsInTwoStores_StayApart(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var a = await app.CreateStoreAsync("shop-a");
        var b = await app.CreateStoreAsync("shop-b");
        const string ev = """{"event_id":"same","name":"purchase","email":"x@example.com","transaction_id":"T1","items":[{"item_id":"p","price":1}]}""";
        using var trackA = app.Tracking(a);
        using var trackB = app.Tracking(b);

        await trackA.PostJsonAsync("/api/v1/track", ev);
        var second = await (await trackB.PostJsonAsync("/api/v1/track", ev)).JsonAsync();

        Assert.Equal("stored", second.GetProperty("results")[0].GetProperty("status").GetString());
        using var adminA = app.Admin(a);
        using var adminB = app.Admin(b);
        Assert.Equal(1, (await adminA.GetJsonAsync("/api/v1/stats")).GetProperty("orders").GetInt32());
        Assert.Equal(1, (await adminB.GetJsonAsync("/api/v1/stats")).GetProperty("orders").GetInt32());
    }

    /// <summary>Every mapped route that is not explicitly public refuses a caller without a key, and admin routes refuse a tracking key.</summary>
    [Fact]
    public async Task EveryRoute_WithoutTheRightKey_Is401()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var anonymous = app.Anonymous();
        using var tracking = app.Tracking(store);
        var endpoints = app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.True(endpoints.Count >= 8, $"only {endpoints.Count} endpoints found");

        var checkedRoutes = 0;
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null) continue;
            // Blazor's own plumbing (a redirect helper of enhanced navigation): it serves no data.
            if (endpoint.RoutePattern.RawText?.StartsWith("/_framework/", StringComparison.Ordinal) == true) continue;
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var path = "/" + string.Join("/", endpoint.RoutePattern.PathSegments.Select(s =>
                string.Concat(s.Parts.Select(p => p is Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l ? l.Content : "1"))));
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            Assert.True(policies.Count > 0, $"{path} has no authorization and is not marked public");
            if (policies.All(p => p is null))
            {
                // An admin app page or form (signed in with the cookie): without it, the way leads to the sign-in page.
                foreach (var method in methods)
                {
                    using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };
                    var page = await noRedirect.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
                    Assert.True(page.StatusCode == HttpStatusCode.Redirect && page.Headers.Location!.AbsolutePath == "/login",
                        $"{method} {path} signed out answered {(int)page.StatusCode} {page.Headers.Location}");
                    checkedRoutes++;
                }
                continue;
            }
            foreach (var method in methods)
            {
                var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} without a key answered {(int)response.StatusCode}");
                if (policies.Contains("admin"))
                {
                    var withTracking = await tracking.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });
                    Assert.True(withTracking.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with a tracking key answered {(int)withTracking.StatusCode}");
                }
                checkedRoutes++;
            }
        }
        Assert.True(checkedRoutes >= 8);
    }

    [Fact]
    public async Task PublicRoutes_AreHealthLivenessOpenApi_AndTheSignedLinksOfMessages()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        using var anonymous = app.Anonymous();

        Assert.Equal("ok", await anonymous.GetStringAsync("/healthz"));
        var openapi = await anonymous.GetJsonAsync("/openapi/v1.json");
        Assert.True(openapi.GetProperty("paths").TryGetProperty("/api/v1/track", out _));
        var publicRoutes = app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(e => e.RoutePattern.RawText).Order().ToList();
        // Message links (open pixel, click, unsubscribe, consent confirmation) need no key: their HMAC signature is the proof (see OutboxTests).
        // And the admin app's sign-in page, its stylesheet and script islands, the framework's script and the language switch (a cookie, no
        // data); the storefront script; the probes; and /metrics, which its own key or listener guards (OperationsTests).
        Assert.Equal(["/_framework/blazor.web.js", "/admin.css", "/admin.js", "/admin/language", "/confirm/{token}", "/confirm/{token}", "/healthz", "/livez", "/login", "/metrics", "/openapi/{documentName}.json", "/readyz", "/sdk/cartwise.js", "/t/c/{token}", "/t/o/{token}", "/u/{token}", "/u/{token}"], publicRoutes);
    }
}

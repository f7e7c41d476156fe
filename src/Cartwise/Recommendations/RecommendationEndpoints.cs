using System.Globalization;
using System.Text.Json;
using Cartwise.Core.Tracking;
using Cartwise.Core.Customers;
using Cartwise.Core.Recommendations;
using Cartwise.Customers;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Stores;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Cartwise.Recommendations;

public sealed record RecommendedItem(string Id, string? Name, decimal? Price, string? Currency, string? Link, string? Image, double Score, ReasonView Reason, BundleView? Bundle);

/// <summary>Why: the strategy, a sentence, and the rule's figures when a rule chose the item.</summary>
public sealed record ReasonView(string Strategy, string Text, IReadOnlyList<string>? Antecedent, int? Support, double? Confidence, double? Lift);

public sealed record BundleView(IReadOnlyList<string> Items, decimal? Price, int Support);

/// <param name="FreeShipping">With <c>strategy=threshold</c>: the threshold, the cart's value and what remains to reach it.</param>
public sealed record RecommendationResponse(string Strategy, IReadOnlyList<RecommendedItem> Items, IReadOnlyList<string> UnknownProducts, DateTimeOffset ModelBuiltAt, int ModelBaskets,
    FreeShippingView? FreeShipping = null);

/// <summary>How far a cart is from free shipping: <see cref="Remaining"/> is what adding an item must cover.</summary>
public sealed record FreeShippingView(decimal Threshold, decimal CartValue, decimal Remaining, string? Currency);

public sealed record RuleView(string Level, IReadOnlyList<RuleItem> Antecedent, RuleItem Consequent, int Support, double SupportFraction, double Confidence, double Lift, double Leverage, double? Conviction);

public sealed record RuleItem(string Id, string? Name);

public sealed record MiningRunView(long Id, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset? Since, int Baskets, int Items,
    int MinSupportCount, double MinConfidence, JsonElement? ItemsetsBySize, int Rules, int CategoryRules, int Pairs, string? Error)
{
    public static MiningRunView From(MiningRun r) => new(r.Id, r.Status, r.StartedAt, r.FinishedAt, r.Since, r.Baskets, r.Items, r.MinSupportCount, r.MinConfidence,
        r.ItemsetsBySize is null ? null : JsonDocument.Parse(r.ItemsetsBySize).RootElement.Clone(), r.Rules, r.CategoryRules, r.Pairs, r.Error);
}

public static class RecommendationEndpoints
{
    public static IEndpointRouteBuilder MapRecommendationEndpoints(this IEndpointRouteBuilder app)
    {
        var storefront = app.MapGroup("/api/v1/recommendations").RequireAuthorization(KeyAuth.StorefrontPolicy).WithTags("Recommendations");
        storefront.MapGet("/", GetAsync).WithSummary("Recommendations for a product, a cart, a customer or a category (tracking or admin key); strategy=threshold: the cart's free-shipping gap fillers with what remains to the threshold (threshold=, cart_value=).");
        storefront.MapGet("/widget", WidgetAsync).WithSummary("A storefront widget as an HTML fragment (widget=cart|product|upsell|bundle|recently-viewed|bestsellers|free-shipping, or any strategy=).");
        var admin = app.MapGroup("/api/v1").RequireAuthorization(KeyAuth.AdminPolicy).WithTags("Recommendations");
        admin.MapGet("/rules", RulesAsync).WithSummary("Association rules of the current model (filter by item or category, sort by lift, confidence or support).");
        admin.MapGet("/rules/next", NextRulesAsync).WithSummary("Next-purchase rules: A, then B in a later order within window= (default 60d): support (customers), confidence, lift against B's base rate, and the lag in days (median, quartiles). level=category|product, depth= (category level, 1 = top), antecedent=, minSupport= (default 2), sort=lift|confidence|support|lag, limit=.");
        admin.MapGet("/models", ModelsAsync).WithSummary("Mining runs, newest first.");
        admin.MapGet("/analytics/recommendations", AnalyticsAsync)
            .WithSummary("Per widget and strategy: impressions, clicks, CTR, items added to the cart and orders (with revenue) within 7 days of a click; from= to= are the store's days.");
        admin.MapPost("/models/rebuild", RebuildAsync).WithSummary("Mine the store's orders now and swap the new model in.");
        return app;
    }

    private static string[] Split(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Reads the query into a core request; a problem names the parameter at fault.</summary>
    private static async Task<(RecommendationRequest? Request, List<string> Unknown, Dictionary<string, string[]>? Errors, RecommendationModel Model)> ReadAsync(
        ModelService models, HttpRequest http, CancellationToken ct, string? defaultStrategy = null)
    {
        // A storefront call about a product or a cart needs no database at all: the context is made only for a customer.
        var storeId = http.HttpContext.User.StoreId();
        var q = http.Query;
        var errors = new Dictionary<string, string[]>();
        var model = await models.GetAsync(storeId, ct);
        var byExternal = model.ByExternalId;
        var unknown = new List<string>();
        List<long> Ids(string? list)
        {
            var ids = new List<long>();
            foreach (var id in Split(list))
                if (byExternal.TryGetValue(id, out var pid)) ids.Add(pid);
                else unknown.Add(id);
            return ids;
        }
        var strategy = q["strategy"].ToString() is { Length: > 0 } s ? s : defaultStrategy;
        // The gap fillers start from the cart's rules (see GapFillersAsync).
        if (strategy == WidgetKinds.ThresholdStrategy) strategy = Strategies.Cart;
        if (strategy is not null && !Strategies.All.Contains(strategy))
            errors["strategy"] = [$"'{strategy}' is not one of {string.Join(", ", Strategies.All.Append(WidgetKinds.ThresholdStrategy))}."];
        var limit = 10;
        if (q["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100)) errors["limit"] = ["Must be a whole number from 1 to 100."];
        long? category = null;
        if (q["category"].ToString() is { Length: > 0 } c)
        {
            if (long.TryParse(c, CultureInfo.InvariantCulture, out var cid) && model.CategoryParents.ContainsKey(cid)) category = cid;
            else if (model.CategoryNames.FirstOrDefault(kv => kv.Value == c) is { Value: not null } byPath) category = byPath.Key;
            else errors["category"] = [$"'{c}' is neither a category id nor a category path of this store."];
        }
        decimal? Money(string name) => Amount(q, name, errors);
        bool Flag(string name, bool fallback)
        {
            if (q[name].ToString() is not { Length: > 0 } v) return fallback;
            if (bool.TryParse(v, out var b)) return b;
            errors[name] = ["Must be true or false."];
            return fallback;
        }
        List<long>? Categories(string name)
        {
            var list = new List<long>();
            foreach (var v in Split(q[name]))
                if (long.TryParse(v, CultureInfo.InvariantCulture, out var id)) list.Add(id);
                else errors[name] = [$"'{v}' is not a category id."];
            return list.Count == 0 ? null : list;
        }
        Dictionary<string, double>? weights = null;
        if (q["weights"].ToString() is { Length: > 0 } w)
        {
            weights = [];
            foreach (var pair in Split(w))
            {
                var kv = pair.Split(':');
                if (kv.Length == 2 && Strategies.All.Contains(kv[0]) && double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) && weight >= 0)
                    weights[kv[0]] = weight;
                else errors["weights"] = [$"'{pair}' is not strategy:weight (e.g. cart:1,similar:0.3)."];
            }
        }
        double? share = null;
        if (q["repurchase_share"].ToString() is { Length: > 0 } rs)
        {
            if (double.TryParse(rs, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r is >= 0 and <= 1) share = r;
            else errors["repurchase_share"] = ["Must be a number from 0 to 1 (the share of the list given to re-orders)."];
        }
        var window = q["window"].ToString() is { Length: > 0 } win ? win : "all";
        if (window is not ("all" or "30d" or "90d" or "365d")) errors["window"] = ["Must be all, 30d, 90d or 365d."];
        var upsell = Money("upsell_ratio") ?? 1.5m;
        var filters = new RecommendationFilters(Flag("available_only", true), Flag("exclude_bought", true), Money("min_price"), Money("max_price"),
            Categories("include_categories"), Categories("exclude_categories"));

        var history = PurchaseHistory.None;
        var viewed = new List<long>();
        if (await PersonAsync(http, errors, ct) is { } customer)
        {
            var db = http.HttpContext.RequestServices.GetRequiredService<CartwiseDb>();
            history = await PurchaseHistory.LoadAsync(db, customer.Id, ct);
            var payloads = await db.Events.AsNoTracking().Where(e => e.CustomerId == customer.Id && e.Name == EventNames.ViewItem)
                .OrderByDescending(e => e.OccurredAt).Take(20).Select(e => e.Payload).ToListAsync(ct);
            foreach (var p in payloads) ModelService.AddItemProducts(p, byExternal, viewed);
        }
        var products = Ids(q["product"]);
        var cart = Ids(q["cart"]);
        if (errors.Count > 0) return (null, unknown, errors, model);
        return (new RecommendationRequest(strategy, products, cart, category, limit, filters, history.Products, viewed, weights, window, upsell,
            history.LastAt, http.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(), history.Orders, share), unknown, null, model);
    }

    /// <summary>A non-negative amount from the query; null when absent, and then also when malformed (its problem noted).</summary>
    private static decimal? Amount(IQueryCollection q, string name, Dictionary<string, string[]> errors)
    {
        if (q[name].ToString() is not { Length: > 0 } v) return null;
        if (decimal.TryParse(v, NumberStyles.Number, CultureInfo.InvariantCulture, out var m) && m >= 0) return m;
        errors[name] = ["Must be a non-negative number."];
        return null;
    }

    /// <summary>
    /// The person a personal strategy is for. The admin key may name any customer by Cartwise id. The public
    /// tracking key may not (ids are sequential, and purchases and views are personal data): only the visitor's own
    /// <c>anonymous_id</c>, or a <c>customer_id</c> with the <c>customer_token</c> the shop's server computed for it.
    /// </summary>
    private static async Task<Customer?> PersonAsync(HttpRequest http, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        var q = http.Query;
        if (!q.ContainsKey("customer") && !q.ContainsKey("customer_id") && !q.ContainsKey("anonymous_id")) return null;
        var admin = http.HttpContext.User.IsAdmin();
        var db = http.HttpContext.RequestServices.GetRequiredService<CartwiseDb>();
        if (q["customer"].ToString() is { Length: > 0 } cust)
        {
            if (!admin)
                errors["customer"] = ["Customer ids need the admin key; a storefront asks with anonymous_id, or with customer_id and its customer_token."];
            else if (!long.TryParse(cust, CultureInfo.InvariantCulture, out var customerId) || await CustomerEndpoints.FindAsync(db, customerId, ct) is not { } byId)
                errors["customer"] = [$"No customer '{cust}' in this store (use Cartwise's customer id)."];
            else return byId;
            return null;
        }
        string? key = null;
        if (q["customer_id"].ToString() is { Length: > 0 } shopId)
        {
            if (!admin && !CustomerToken.Verify((await http.HttpContext.RequestServices.GetRequiredService<StoreCache>().GetAsync(db.CurrentStoreId, ct))?.IdentitySecret,
                    shopId, q["customer_token"].ToString()))
            {
                errors["customer_token"] = [CustomerToken.Problem(shopId)];
                return null;
            }
            key = CustomerIdentity.ForCustomerId(shopId);
        }
        else if (q["anonymous_id"].ToString() is { Length: > 0 } anonymous) key = CustomerIdentity.ForAnonymous(anonymous);
        if (key is null) return null;
        // Unknown visitors are no error: a first visit has no history yet.
        var id = await db.CustomerIdentities.Where(i => i.Key == key).Select(i => (long?)i.CustomerId).SingleOrDefaultAsync(ct);
        return id is { } found ? await CustomerEndpoints.FindAsync(db, found, ct) : null;
    }

    private static RecommendedItem View(RecommendationModel model, Recommendation r)
    {
        var p = model.Products[r.Product];
        string Ext(long id) => model.Products.TryGetValue(id, out var x) ? x.ExternalId : id.ToString(CultureInfo.InvariantCulture);
        var bundle = r.Bundle is { } b ? new BundleView(b.Products.Select(Ext).ToList(), b.Products.Sum(id => model.Products.GetValueOrDefault(id)?.Price ?? 0), b.Support) : null;
        return new RecommendedItem(p.ExternalId, p.Name, p.Price, p.Currency, p.Link, p.ImageLink, Math.Round(r.Score, 6),
            new ReasonView(r.Reason.Strategy, r.Reason.Text, r.Reason.Antecedent?.Select(Ext).ToList(), r.Reason.Support,
                r.Reason.Confidence is { } c ? Math.Round(c, 6) : null, r.Reason.Lift is { } l ? Math.Round(l, 6) : null), bundle);
    }

    internal static async Task<Results<Ok<RecommendationResponse>, ValidationProblem>> GetAsync(HttpRequest http, ModelService models, StoreCache stores, CancellationToken ct)
    {
        var (request, unknown, errors, model) = await ReadAsync(models, http, ct);
        if (request is null) return TypedResults.ValidationProblem(errors!);
        // Which ids the catalogue lacks is for the shop's integrator (admin key), not for anyone holding the public key.
        var reported = http.HttpContext.User.IsAdmin() ? unknown : [];
        if (http.Query["strategy"] == WidgetKinds.ThresholdStrategy)
        {
            var (progress, fillers, problems) = await GapFillersAsync(model, request, http.Query, stores, http.HttpContext.User.StoreId(), ct);
            if (problems is not null) return TypedResults.ValidationProblem(problems);
            if (progress is null) return Problems.Field("threshold", "The store has no free-shipping threshold: give threshold= or set it in the store's settings.");
            return TypedResults.Ok(new RecommendationResponse(WidgetKinds.ThresholdStrategy, fillers.Select(r => View(model, r)).ToList(), reported, model.BuiltAt, model.Baskets,
                new FreeShippingView(progress.Threshold, progress.CartValue, progress.Gap, progress.Currency)));
        }
        var items = Recommender.Recommend(model, request).Select(r => View(model, r)).ToList();
        return TypedResults.Ok(new RecommendationResponse(request.Strategy ?? Strategies.Blend, items, reported, model.BuiltAt, model.Baskets));
    }

    /// <summary>
    /// The free-shipping gap fillers of a cart (the API's <c>strategy=threshold</c> and the free-shipping widget): the
    /// threshold (<c>threshold=</c>, else the store's), the cart's value (<c>cart_value=</c>, else its products'
    /// prices), and the candidates in order — the cart's rules, then the bestsellers of the cart's categories, then
    /// the store's — of which those whose price alone covers what remains come first, the least overshoot first
    /// (<see cref="WidgetHtml.GapFillers"/>). No threshold: a null progress.
    /// </summary>
    private static async Task<(ShippingProgress? Progress, IReadOnlyList<Recommendation> Picks, Dictionary<string, string[]>? Problems)> GapFillersAsync(
        RecommendationModel model, RecommendationRequest request, IQueryCollection q, StoreCache stores, long storeId, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        var threshold = Amount(q, "threshold", problems);
        var given = Amount(q, "cart_value", problems);
        if (problems.Count > 0) return (null, [], problems);
        var store = await stores.GetAsync(storeId, ct);
        if ((threshold ?? store?.FreeShippingThreshold) is not { } limit || limit <= 0) return (null, [], null);
        var value = given ?? request.Cart.Sum(id => model.Products.GetValueOrDefault(id)?.Price ?? 0);
        var progress = new ShippingProgress(limit, value, store?.Currency);
        var wide = request with { Strategy = Strategies.Cart, Limit = 50 };
        var categories = request.Cart.Select(id => model.Products.GetValueOrDefault(id)?.CategoryId).OfType<long>().Distinct().Take(3);
        var candidates = Recommender.Recommend(model, wide)
            .Concat(categories.SelectMany(c => Recommender.Recommend(model, wide with { Strategy = Strategies.Bestsellers, Category = c })))
            .Concat(Recommender.Recommend(model, wide with { Strategy = Strategies.Bestsellers }));
        return (progress, WidgetHtml.GapFillers(model, candidates, progress.Gap, request.Limit), null);
    }

    /// <summary>
    /// A widget as a self-contained HTML fragment (<see cref="WidgetHtml"/>): <c>widget=</c> one of
    /// <see cref="WidgetKinds"/>, or any <c>strategy=</c> as a plain list. Not personal: cached here and by the
    /// browser for 60 s per query and model; personal (<c>anonymous_id</c>, a customer): never cached.
    /// </summary>
    internal static async Task<IResult> WidgetAsync(HttpRequest http, ModelService models, StoreCache stores, IMemoryCache cache, CancellationToken ct)
    {
        var q = http.Query;
        var kind = q["widget"].ToString() is { Length: > 0 } w ? w : null;
        if (kind is not null && !WidgetKinds.Strategy.ContainsKey(kind))
            return Problems.Field("widget", $"'{kind}' is not one of {string.Join(", ", WidgetKinds.Strategy.Keys)}.");
        var storeId = http.HttpContext.User.StoreId();
        var personal = q.ContainsKey("anonymous_id") || q.ContainsKey("customer") || q.ContainsKey("customer_id");
        var model = await models.GetAsync(storeId, ct);
        var cacheKey = personal ? null : "widget|" + storeId.ToString(CultureInfo.InvariantCulture) + "|" + model.BuiltAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "|" +
            string.Join('&', q.Where(kv => kv.Key != "key").OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value.ToString()));
        http.HttpContext.Response.Headers.CacheControl = personal ? "private, no-store" : "public, max-age=60";
        if (cacheKey is not null && cache.TryGetValue(cacheKey, out string? cached)) return Results.Content(cached, "text/html; charset=utf-8");

        var (request, _, errors, _) = await ReadAsync(models, http, ct, kind is null ? null : WidgetKinds.Strategy[kind]);
        if (request is null) return TypedResults.ValidationProblem(errors!);
        IReadOnlyList<Recommendation> picks;
        ShippingProgress? shipping = null;
        if (kind == WidgetKinds.FreeShipping)
        {
            var (progress, fillers, problems) = await GapFillersAsync(model, request, q, stores, storeId, ct);
            if (problems is not null) return TypedResults.ValidationProblem(problems);
            if (progress is null) return Results.Content("<!-- free-shipping: no threshold (data-threshold, or the store's setting) -->", "text/html; charset=utf-8");
            (shipping, picks) = (progress, fillers);
        }
        else picks = Recommender.Recommend(model, request);
        // "A step up" shows better versions only, never the bestsellers a short list is filled with elsewhere.
        if (kind == WidgetKinds.Upsell) picks = picks.Where(p => p.Reason.Strategy == Strategies.Upsell).ToList();
        var html = WidgetHtml.Render(model, kind ?? "recommendations", q["title"], q["lang"], picks, request.Products.Count > 0 ? request.Products[0] : null, shipping);
        if (cacheKey is not null) cache.Set(cacheKey, html, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(60) });
        return Results.Content(html, "text/html; charset=utf-8");
    }

    internal static async Task<Results<Ok<Page<RuleView>>, ValidationProblem>> RulesAsync(CartwiseDb db, ModelService models, string? level, string? item, long? category,
        string? sort, int? limit, CancellationToken ct)
    {
        var model = await models.GetAsync(db.CurrentStoreId, ct);
        var (rules, field, error) = FindRules(model, level, item, category, sort);
        if (field is not null) return Problems.Field(field, error!);
        return TypedResults.Ok(new Page<RuleView>(rules.Take(Math.Clamp(limit ?? 50, 1, 1000)).ToList(), null));
    }

    internal static async Task<Results<Ok<Page<NextRuleView>>, ValidationProblem>> NextRulesAsync(CartwiseDb db, string? level, int? depth, string? antecedent, string? window,
        int? minSupport, string? sort, int? limit, CancellationToken ct)
    {
        level ??= "category";
        if (NextPurchaseRules.Problem(level, depth, window, minSupport, sort, out var span) is { } problem) return Problems.Field(problem.Field, problem.Error);
        var rules = await NextPurchaseRules.MineAsync(db, level, depth, span, minSupport ?? 2, ct);
        return TypedResults.Ok(new Page<NextRuleView>(NextPurchaseRules.Select(rules, antecedent, sort).Take(Math.Clamp(limit ?? 50, 1, 1000)).ToList(), null));
    }

    /// <summary>
    /// The rule table (the API's <c>/rules</c> and the admin app's): product or category level, filtered by an item in
    /// the antecedent and by category, in the order asked (lift, confidence or support). A bad parameter comes back as
    /// its name and the problem.
    /// </summary>
    public static (IEnumerable<RuleView> Rules, string? Field, string? Error) FindRules(RecommendationModel model, string? level, string? item, long? category, string? sort)
    {
        level ??= "product";
        if (level is not ("product" or "category")) return ([], "level", "Must be product or category.");
        if (sort is not (null or "lift" or "confidence" or "support")) return ([], "sort", "Must be lift, confidence or support.");
        IEnumerable<ProductRule> rules = level == "product" ? model.Rules : model.CategoryRules;
        RuleItem Item(long id) => level == "product"
            ? model.Products.TryGetValue(id, out var p) ? new RuleItem(p.ExternalId, p.Name) : new RuleItem(id.ToString(CultureInfo.InvariantCulture), null)
            : new RuleItem(id.ToString(CultureInfo.InvariantCulture), model.CategoryNames.GetValueOrDefault(id));
        if (item is { Length: > 0 })
        {
            if (level == "product")
            {
                if (!model.ByExternalId.TryGetValue(item, out var pid)) return ([], "item", $"No product '{item}'.");
                rules = rules.Where(r => r.Antecedent.Contains(pid));
            }
            else if (long.TryParse(item, CultureInfo.InvariantCulture, out var cid)) rules = rules.Where(r => r.Antecedent.Contains(cid));
            else return ([], "item", $"'{item}' is not a category id.");
        }
        if (category is { } c)
            rules = level == "product"
                ? rules.Where(r => r.Antecedent.Any(a => model.IsWithin(model.Products.GetValueOrDefault(a)?.CategoryId, c)))
                : rules.Where(r => r.Antecedent.Any(a => model.IsWithin(a, c)));
        rules = sort switch
        {
            "confidence" => rules.OrderByDescending(r => r.Confidence).ThenByDescending(r => r.Lift),
            "support" => rules.OrderByDescending(r => r.Support).ThenByDescending(r => r.Lift),
            _ => rules.OrderByDescending(r => r.Lift).ThenByDescending(r => r.Confidence),
        };
        var n = Math.Max(1, model.Baskets);
        return (rules.Select(r => new RuleView(level, r.Antecedent.Select(Item).ToList(), Item(r.Consequent), r.Support,
            Math.Round((double)r.Support / n, 6), Math.Round(r.Confidence, 6), Math.Round(r.Lift, 6), Math.Round(r.Leverage, 6),
            double.IsInfinity(r.Conviction) ? null : Math.Round(r.Conviction, 6))), null, null);
    }

    /// <summary>
    /// What one strategy picks for some products in a cart, with the storefront's default filters (the admin app's
    /// explorer; the API reads the same request from its query).
    /// </summary>
    public static IReadOnlyList<RecommendedItem> ForCart(RecommendationModel model, IReadOnlyList<long> cart, string strategy, int limit) =>
        Recommender.Recommend(model, new RecommendationRequest(strategy, [], cart, null, limit, new RecommendationFilters(), [], []))
            .Select(r => View(model, r)).ToList();

    internal static async Task<Ok<Page<MiningRunView>>> ModelsAsync(CartwiseDb db, CancellationToken ct)
    {
        var runs = await db.MiningRuns.AsNoTracking().OrderByDescending(r => r.Id).Take(50)
            .Select(r => new MiningRun
            {
                Id = r.Id, Status = r.Status, StartedAt = r.StartedAt, FinishedAt = r.FinishedAt, Since = r.Since, Baskets = r.Baskets, Items = r.Items,
                MinSupportCount = r.MinSupportCount, MinConfidence = r.MinConfidence, ItemsetsBySize = r.ItemsetsBySize, Rules = r.Rules,
                CategoryRules = r.CategoryRules, Pairs = r.Pairs, Error = r.Error,
            }).ToListAsync(ct);
        return TypedResults.Ok(new Page<MiningRunView>(runs.Select(MiningRunView.From).ToList(), null));
    }

    internal static async Task<Results<Ok<WidgetReport>, ValidationProblem>> AnalyticsAsync(CartwiseDb db, TimeProvider clock, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var (defaultFrom, defaultTo) = await WidgetAnalytics.DefaultRangeAsync(db, clock.GetUtcNow(), ct);
        var (f, t) = (from ?? defaultFrom, to ?? defaultTo);
        if (StoreFigures.RangeProblem(f, t) is { } problem) return Problems.Field(problem.Field, problem.Error);
        return TypedResults.Ok(await WidgetAnalytics.ComputeAsync(db, f, t, ct));
    }

    internal static async Task<Ok<MiningRunView>> RebuildAsync(CartwiseDb db, ModelService models, CancellationToken ct)
    {
        var (_, _, run) = await models.BuildAsync(db.CurrentStoreId, new ModelOptions(), null, ct);
        return TypedResults.Ok(MiningRunView.From(run));
    }
}

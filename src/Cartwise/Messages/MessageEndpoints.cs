using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Cartwise.Coupons;
using Cartwise.Core.Messages;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Stores;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Messages;

public sealed record SenderRequest([property: Required, MaxLength(200)] string Name, [property: Required, EmailAddress] string FromAddress, [property: EmailAddress] string? ReplyTo);

public sealed record SenderView(long Id, string Name, string FromAddress, string? ReplyTo)
{
    public static SenderView From(Sender s) => new(s.Id, s.Name, s.FromAddress, s.ReplyTo);
}

/// <summary>A message's coupon: mode none, static (code) or dynamic (poolId); expiry as a date or days after sending.</summary>
public sealed record CouponSettings(string Mode = CouponModes.None, string? Code = null, long? PoolId = null, DateTimeOffset? ExpiresAt = null, int? ValidDays = null);

public sealed record MessageRequest(
    [property: Required, MaxLength(200)] string Name,
    [property: Required, MaxLength(35)] string DefaultLanguage,
    long? SenderId,
    [property: Required] List<MessageVariant> Variants,
    CouponSettings? Coupon);

public sealed record MessageView(long Id, string Name, string DefaultLanguage, long? SenderId, IReadOnlyList<MessageVariant> Variants, CouponSettings Coupon,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record MessageSummary(long Id, string Name, string DefaultLanguage, IReadOnlyList<string> Languages, long? SenderId, string CouponMode, DateTimeOffset UpdatedAt);

/// <summary>Render for a real customer (id) and trigger (order transaction id, product ids), in a language (default: the customer's).</summary>
public sealed record PreviewRequest(long? CustomerId, string? Order, List<string>? Products, string? Language);

public sealed record PreviewView(string Language, string Subject, string? Preheader, string Html, string Text);

/// <summary>Send to these addresses with sample data; one language, or every variant when null.</summary>
public sealed record TestSendRequest([property: Required] List<string> To, string? Language);

public sealed record SendResult(long OutboxId, string To, string? Language, string Status, string? Subject, string? Error);

public sealed record OutboxView(long Id, string Key, long MessageId, long? CustomerId, string Email, string? Language, long? ScenarioId, string? Rule,
    string Status, DateTimeOffset DueAt, int Attempts, bool Uncertain, bool IsTest, string? Subject, string? CouponCode, string? LastError,
    string? ProviderResponse, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

/// <param name="Next">The <c>before</c> of the next page; null on the last.</param>
public sealed record OutboxPage(string Transport, IReadOnlyList<OutboxView> Items, long? Next);

public sealed record MailSettingsView(string? Smtp, string Transport, int SendRate, string? PostalAddress, int ClickWindowDays, int? OpenWindowDays);

public sealed record MailSettingsRequest(string? Smtp, [property: Range(0, 100_000)] int SendRate, [property: MaxLength(500)] string? PostalAddress,
    [property: Range(0, 90)] int ClickWindowDays = 5, [property: Range(0, 90)] int? OpenWindowDays = 1);

public sealed record MailTestRequest([property: Required] string To);

public static class MessageEndpoints
{
    public static IEndpointRouteBuilder MapMessageEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1").RequireAuthorization(KeyAuth.AdminPolicy).WithTags("Messages");
        g.MapGet("/senders", SendersAsync).WithSummary("The store's sender identities.");
        g.MapPost("/senders", CreateSenderAsync).WithSummary("Add a sender identity (name, from address, reply-to).");
        g.MapPut("/senders/{id:long}", UpdateSenderAsync).WithSummary("Change a sender identity.");
        g.MapDelete("/senders/{id:long}", DeleteSenderAsync).WithSummary("Remove a sender identity no message uses.");
        g.MapGet("/messages", ListAsync).WithSummary("The store's messages.");
        g.MapGet("/messages/{id:long}", GetAsync).WithSummary("One message with its variants.");
        g.MapPost("/messages", CreateAsync).WithSummary("Create a message; templates are checked now (errors name the field, line and column).");
        g.MapPut("/messages/{id:long}", UpdateAsync).WithSummary("Replace a message.");
        g.MapDelete("/messages/{id:long}", DeleteAsync).WithSummary("Delete a message.");
        g.MapPost("/messages/{id:long}/preview", PreviewAsync).WithSummary("Render a message for a real customer and trigger (HTML and text); without an order, the customer's latest (the store's latest for sample data).");
        g.MapPost("/messages/{id:long}/test-send", TestSendAsync).WithSummary("Send a message with sample data to chosen addresses, marked as a test.");
        g.MapGet("/messages/{id:long}/report", ReportAsync).WithSummary("Sent, opened, clicked, unsubscribed, orders, revenue and coupons of a message.");
        g.MapGet("/outbox", OutboxAsync).WithSummary("Outbox rows, newest first, with status, attempts and the provider's answer (status=, email= the start of the address, test=; keyset-paged with before=).");
        g.MapGet("/outbox/{id:long}", OutboxRowAsync).WithSummary("One outbox row with the message as it went out: headers, HTML and text parts, opens and clicks.");
        g.MapGet("/outbox/{id:long}/eml", EmlAsync).WithSummary("The .eml the file outbox wrote for a row.");
        g.MapGet("/store/mail", MailSettingsAsync).WithSummary("The store's delivery settings (SMTP, send rate, footer address, attribution windows).");
        g.MapPost("/store/mail/test", MailTestAsync).WithSummary("Send a plain test email through the store's transport; the answer is the server's own words.");
        g.MapPut("/store/mail", UpdateMailSettingsAsync).WithSummary("Change the store's delivery settings.");
        return app;
    }

    internal static async Task<Ok<ItemsPage<SenderView>>> SendersAsync(CartwiseDb db, CancellationToken ct) =>
        TypedResults.Ok(new ItemsPage<SenderView>((await db.Senders.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct)).Select(SenderView.From).ToList()));

    internal static async Task<Created<SenderView>> CreateSenderAsync(SenderRequest request, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        var s = await AddSenderAsync(db, request, clock.GetUtcNow(), ct);
        return TypedResults.Created($"/api/v1/senders/{s.Id}", SenderView.From(s));
    }

    /// <summary>Adds a sender identity (the API and the settings page; the request is validated by its attributes first).</summary>
    public static async Task<Sender> AddSenderAsync(CartwiseDb db, SenderRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var s = new Sender { StoreId = db.CurrentStoreId, Name = request.Name.Trim(), FromAddress = request.FromAddress.Trim(), ReplyTo = string.IsNullOrWhiteSpace(request.ReplyTo) ? null : request.ReplyTo.Trim(), CreatedAt = now };
        db.Senders.Add(s);
        await db.SaveChangesAsync(ct);
        return s;
    }

    internal static async Task<Results<Ok<SenderView>, NotFound>> UpdateSenderAsync(long id, SenderRequest request, CartwiseDb db, CancellationToken ct)
    {
        var s = await db.Senders.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        (s.Name, s.FromAddress, s.ReplyTo) = (request.Name.Trim(), request.FromAddress.Trim(), request.ReplyTo?.Trim());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(SenderView.From(s));
    }

    internal static async Task<Results<NoContent, NotFound, ValidationProblem>> DeleteSenderAsync(long id, CartwiseDb db, CancellationToken ct)
    {
        var s = await db.Senders.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        var users = await db.Messages.Where(m => m.SenderId == id).Select(m => m.Name).ToListAsync(ct);
        if (users.Count > 0) return Problems.Field("senderId", $"used by {users.Count} message(s): {string.Join(", ", users.Take(5))}");
        db.Senders.Remove(s);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Ok<ItemsPage<MessageSummary>>> ListAsync(CartwiseDb db, MessageComposer composer, CancellationToken ct)
    {
        var messages = await db.Messages.AsNoTracking().OrderBy(m => m.Id).ToListAsync(ct);
        return TypedResults.Ok(new ItemsPage<MessageSummary>(messages.Select(m => new MessageSummary(m.Id, m.Name, m.DefaultLanguage,
            composer.Variants(m).Select(v => v.Language).ToList(), m.SenderId, m.CouponMode, m.UpdatedAt)).ToList()));
    }

    internal static async Task<Results<Ok<MessageView>, NotFound>> GetAsync(long id, CartwiseDb db, MessageComposer composer, CancellationToken ct)
    {
        var m = await db.Messages.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        return m is null ? TypedResults.NotFound() : TypedResults.Ok(View(m, composer));
    }

    private static MessageView View(Message m, MessageComposer composer) => new(m.Id, m.Name, m.DefaultLanguage, m.SenderId, composer.Variants(m),
        new CouponSettings(m.CouponMode, m.StaticCode, m.CouponPoolId, m.CouponExpiresAt, m.CouponValidDays), m.CreatedAt, m.UpdatedAt);

    internal static async Task<Results<Created<MessageView>, ValidationProblem>> CreateAsync(MessageRequest request, CartwiseDb db, MessageComposer composer, TimeProvider clock, CancellationToken ct)
    {
        if (await ValidateAsync(request, db, composer, ct) is { } problem) return problem;
        var now = clock.GetUtcNow();
        var m = new Message { StoreId = db.CurrentStoreId, Name = "", DefaultLanguage = "", Variants = "", CreatedAt = now };
        Apply(m, request, now);
        db.Messages.Add(m);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/messages/{m.Id}", View(m, composer));
    }

    internal static async Task<Results<Ok<MessageView>, NotFound, ValidationProblem>> UpdateAsync(long id, MessageRequest request, CartwiseDb db, MessageComposer composer, TimeProvider clock, CancellationToken ct)
    {
        var m = await db.Messages.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (m is null) return TypedResults.NotFound();
        if (await ValidateAsync(request, db, composer, ct) is { } problem) return problem;
        var now = clock.GetUtcNow();
        // Cached variants are keyed by the update time: make sure it moves even within one clock tick.
        Apply(m, request, now > m.UpdatedAt ? now : m.UpdatedAt.AddTicks(1));
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(View(m, composer));
    }

    private static void Apply(Message m, MessageRequest r, DateTimeOffset now)
    {
        var coupon = r.Coupon ?? new CouponSettings();
        m.Name = r.Name.Trim();
        m.DefaultLanguage = r.DefaultLanguage.Trim();
        m.SenderId = r.SenderId;
        m.Variants = JsonSerializer.Serialize(r.Variants, MessageComposer.Json);
        m.CouponMode = coupon.Mode;
        m.StaticCode = coupon.Mode == CouponModes.Static ? coupon.Code?.Trim() : null;
        m.CouponPoolId = coupon.Mode == CouponModes.Dynamic ? coupon.PoolId : null;
        m.CouponExpiresAt = coupon.Mode == CouponModes.None ? null : coupon.ExpiresAt;
        m.CouponValidDays = coupon.Mode == CouponModes.None ? null : coupon.ValidDays;
        m.UpdatedAt = now;
    }

    private static async Task<ValidationProblem?> ValidateAsync(MessageRequest r, CartwiseDb db, MessageComposer composer, CancellationToken ct)
    {
        var errors = MessageValidator.Validate(r.DefaultLanguage, r.Variants, composer.Renderer).ToList();
        if (r.SenderId is { } sid && !await db.Senders.AnyAsync(s => s.Id == sid, ct)) errors.Add(new("senderId", $"no sender {sid} in this store"));
        var coupon = r.Coupon ?? new CouponSettings();
        switch (coupon.Mode)
        {
            case CouponModes.None:
                break;
            case CouponModes.Static:
                if (string.IsNullOrWhiteSpace(coupon.Code)) errors.Add(new("coupon.code", "a static coupon needs its code"));
                break;
            case CouponModes.Dynamic:
                if (coupon.PoolId is not { } pid) errors.Add(new("coupon.poolId", "a dynamic coupon needs a pool"));
                else if (!await db.CouponPools.AnyAsync(p => p.Id == pid, ct)) errors.Add(new("coupon.poolId", $"no coupon pool {pid} in this store"));
                break;
            default:
                errors.Add(new("coupon.mode", $"unknown mode '{coupon.Mode}': none, static or dynamic"));
                break;
        }
        if (coupon.ValidDays is < 1 or > 3650) errors.Add(new("coupon.validDays", "between 1 and 3650"));
        if (coupon.ExpiresAt is not null && coupon.ValidDays is not null) errors.Add(new("coupon.validDays", "give an expiry date or days after sending, not both"));
        if (coupon.Mode == CouponModes.None && r.Variants is not null && MessageValidator.Uses(r.Variants, BlockTypes.Coupon))
            errors.Add(new("coupon.mode", "the message has a COUPON block: choose a static or dynamic coupon"));
        return errors.Count == 0 ? null
            : Problems.Fields(errors.Select(e => (e.Path, e.Error)));
    }

    internal static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(long id, CartwiseDb db, IMessageScenarios scenarios, CancellationToken ct)
    {
        var m = await db.Messages.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (m is null) return TypedResults.NotFound();
        if ((await scenarios.UsersAsync(db, ct)).GetValueOrDefault(id) is { Count: > 0 } users)
            return Problems.Conflict($"the message is used by scenario(s) {string.Join(", ", users)}; choose another message there or archive them first");
        db.Messages.Remove(m);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    internal static Task<Results<Ok<PreviewView>, NotFound, ValidationProblem>> PreviewAsync(long id, PreviewRequest request, CartwiseDb db,
        MessageComposer composer, PublicUrls urls, TimeProvider clock, CancellationToken ct) =>
        RenderPreviewAsync(id, request, null, db, composer, urls, clock, ct);

    /// <summary>The preview, of the saved message or of <paramref name="unsaved"/> variants in its place (the designer's form as edited).</summary>
    internal static async Task<Results<Ok<PreviewView>, NotFound, ValidationProblem>> RenderPreviewAsync(long id, PreviewRequest request, IReadOnlyList<MessageVariant>? unsaved,
        CartwiseDb db, MessageComposer composer, PublicUrls urls, TimeProvider clock, CancellationToken ct)
    {
        var message = await composer.LoadAsync(db, id, ct);
        if (message is null) return TypedResults.NotFound();
        if (unsaved is not null)
        {
            if (MessageValidator.Validate(message.Message.DefaultLanguage, unsaved, composer.Renderer).ToList() is { Count: > 0 } errors)
                return Problems.Fields(errors.Select(e => (e.Path, e.Error)));
            message = message with { Variants = unsaved };
        }
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        string? email = null;
        if (request.CustomerId is { } cid)
        {
            email = await db.Customers.Where(c => c.Id == cid).Select(c => c.Email ?? "").SingleOrDefaultAsync(ct);
            if (email is null) return Problems.Field("customerId", $"no customer {cid} in this store");
        }
        long? orderId = null;
        if (request.Order is { } tx)
        {
            orderId = await db.Orders.Where(o => o.ExternalId == tx).Select(o => (long?)o.Id).SingleOrDefaultAsync(ct);
            if (orderId is null) return Problems.Field("order", $"no order '{tx}' in this store");
        }
        // Without an order, the customer's latest (the store's latest for sample data), so PURCHASED and the order's
        // variables show what a real one looks like.
        orderId ??= await db.Orders.AsNoTracking().Where(o => request.CustomerId == null || o.CustomerId == request.CustomerId)
            .OrderByDescending(o => o.PlacedAt).ThenByDescending(o => o.Id).Select(o => (long?)o.Id).FirstOrDefaultAsync(ct);
        var products = new List<long>();
        foreach (var external in request.Products ?? [])
        {
            var pid = await db.Products.Where(p => p.ExternalId == external).Select(p => (long?)p.Id).SingleOrDefaultAsync(ct);
            if (pid is null) return Problems.Field("products", $"no product '{external}' in this store");
            products.Add(pid.Value);
        }
        var links = MessageLinks.Untracked(urls.Base + "/u/preview");
        try
        {
            var (rendered, variant) = await composer.RenderAsync(db, store, message,
                new ComposeInput(request.CustomerId, email ?? "preview@example.com", request.Language, orderId, products,
                    CouponService.Sample(message.Message, clock.GetUtcNow()), links, Sample: request.CustomerId is null), ct);
            return TypedResults.Ok(new PreviewView(variant.Language, rendered.Subject, rendered.Preheader, rendered.Html, rendered.Text));
        }
        catch (MessageRenderException e)
        {
            return Problems.Field("message", e.Message);
        }
    }

    internal static Task<Results<Ok<ItemsPage<SendResult>>, NotFound, ValidationProblem>> TestSendAsync(long id, TestSendRequest request, CartwiseDb db,
        MessageComposer composer, OutboxService outbox, TimeProvider clock, CancellationToken ct) => SendTestAsync(id, null, request, db, composer, outbox, clock, ct);

    /// <summary>A test send of one message; from a scenario's summary step, it goes as the scenario sends (its sender, its rule's recommendations).</summary>
    internal static async Task<Results<Ok<ItemsPage<SendResult>>, NotFound, ValidationProblem>> SendTestAsync(long id, (long Scenario, string Rule)? scenario, TestSendRequest request,
        CartwiseDb db, MessageComposer composer, OutboxService outbox, TimeProvider clock, CancellationToken ct)
    {
        var message = await composer.LoadAsync(db, id, ct);
        if (message is null) return TypedResults.NotFound();
        if (request.To is not { Count: >= 1 and <= 20 }) return Problems.Field("to", "between 1 and 20 addresses");
        var attribute = new EmailAddressAttribute();
        for (var i = 0; i < request.To.Count; i++)
            if (!attribute.IsValid(request.To[i]) || !MimeKit.MailboxAddress.TryParse(request.To[i], out _)) return Problems.Field($"to[{i}]", $"'{request.To[i]}' is not an email address");
        var languages = request.Language is { } l ? [l] : message.Variants.Select(v => v.Language).ToList();
        if (request.Language is not null && !message.Variants.Any(v => string.Equals(v.Language, request.Language, StringComparison.OrdinalIgnoreCase)))
            return Problems.Field("language", $"the message has no '{request.Language}' variant; it has {string.Join(", ", message.Variants.Select(v => v.Language))}");
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        // Sample data: the store's latest order, so PURCHASED and RECOMMENDED show real products.
        var latest = await db.Orders.OrderByDescending(o => o.PlacedAt).Select(o => (long?)o.Id).FirstOrDefaultAsync(ct);
        var now = clock.GetUtcNow();
        var batch = Guid.NewGuid().ToString("N");
        var rows = request.To.SelectMany(to => languages.Select(lang => new OutboxMessage
        {
            StoreId = store.Id, Key = $"test:{batch}:{to}:{lang}", MessageId = id, Email = to.Trim(), Language = lang, IsTest = true,
            OrderId = latest, DueAt = now, CreatedAt = now, ScenarioId = scenario?.Scenario, Rule = scenario?.Rule,
        })).ToList();
        var sent = await outbox.SendNowAsync(db, store, rows, ct);
        return TypedResults.Ok(new ItemsPage<SendResult>(sent.Select(r => new SendResult(r.Id, r.Email, r.Language, r.Status, r.Subject, r.LastError)).ToList()));
    }

    internal static async Task<Results<Ok<MessageReport>, NotFound>> ReportAsync(long id, DateTimeOffset? from, DateTimeOffset? to, CartwiseDb db, CancellationToken ct)
    {
        if (!await db.Messages.AnyAsync(m => m.Id == id, ct)) return TypedResults.NotFound();
        var report = await MessageReports.ComputeAsync(db, db.Outbox.Where(o => o.MessageId == id), from, to, [], ct);
        return TypedResults.Ok(report.Total);
    }

    internal static async Task<Results<Ok<OutboxPage>, ValidationProblem>> OutboxAsync(CartwiseDb db, MailTransports transports, string? status, string? email, bool? test,
        long? before, int? limit, CancellationToken ct)
    {
        if (status is not null && !OutboxQueries.Statuses.Contains(status)) return Problems.Field("status", $"'{status}' is not one of {string.Join(", ", OutboxQueries.Statuses)}.");
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        await using var transport = transports.Create(store);
        var (items, next) = await OutboxQueries.PageAsync(db, status, email, test, before, Math.Clamp(limit ?? 100, 1, 1000), ct);
        return TypedResults.Ok(new OutboxPage(transport.Describe(), items, next));
    }

    internal static async Task<Results<Ok<OutboxDetail>, NotFound>> OutboxRowAsync(long id, CartwiseDb db, CancellationToken ct) =>
        await OutboxQueries.DetailAsync(db, id, ct) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound();

    internal static async Task<Results<FileStreamHttpResult, NotFound>> EmlAsync(long id, CartwiseDb db, MailTransports transports, CancellationToken ct)
    {
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        if (!await db.Outbox.AnyAsync(o => o.Id == id && o.Status == OutboxStatus.Sent, ct)) return TypedResults.NotFound();
        var path = Path.Combine(transports.OutboxDirectory, FileMailTransport.FileName(MessageComposer.MessageIdFor(store, id)));
        return File.Exists(path) ? TypedResults.File(File.OpenRead(path), "message/rfc822", Path.GetFileName(path)) : TypedResults.NotFound();
    }

    internal static async Task<Ok<MailSettingsView>> MailSettingsAsync(CartwiseDb db, MailTransports transports, CancellationToken ct) =>
        TypedResults.Ok(await MailSettingsViewAsync(db, transports, ct));

    internal static async Task<Results<Ok<MailSettingsView>, ValidationProblem>> UpdateMailSettingsAsync(MailSettingsRequest request, CartwiseDb db,
        MailTransports transports, StoreCache stores, CancellationToken ct)
    {
        if (await SaveMailSettingsAsync(db, transports, request, ct) is { } problem) return Problems.Field(problem.Field, problem.Error);
        return TypedResults.Ok(await MailSettingsViewAsync(db, transports, ct));
    }

    /// <summary>The store's delivery settings as shown (the SMTP password masked).</summary>
    public static async Task<MailSettingsView> MailSettingsViewAsync(CartwiseDb db, MailTransports transports, CancellationToken ct)
    {
        var s = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        await using var transport = transports.Create(s);
        return new MailSettingsView(Mask(transports.StoreSmtp(s)), transport.Describe(), s.SendRate, s.PostalAddress, s.ClickWindowDays, s.OpenWindowDays);
    }

    /// <summary>
    /// Changes the delivery settings (the API and the settings page; the request's attributes are checked first). An
    /// SMTP address that still shows the masked password keeps the stored one. A problem names the field and changes nothing.
    /// </summary>
    public static async Task<(string Field, string Error)?> SaveMailSettingsAsync(CartwiseDb db, MailTransports transports, MailSettingsRequest request, CancellationToken ct)
    {
        if (request.Smtp is { Length: > 0 } url && SmtpSettings.Parse(url, out var error) is null) return ("smtp", error!);
        var s = await db.Stores.SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        var smtp = string.IsNullOrWhiteSpace(request.Smtp) ? null : request.Smtp.Trim();
        if (smtp is null || smtp != Mask(transports.StoreSmtp(s))) s.SmtpUrl = transports.ProtectSmtp(smtp);
        s.SendRate = request.SendRate;
        s.PostalAddress = request.PostalAddress;
        s.ClickWindowDays = request.ClickWindowDays;
        s.OpenWindowDays = request.OpenWindowDays is 0 ? null : request.OpenWindowDays;
        await db.SaveChangesAsync(ct);
        return null;
    }

    internal static async Task<Results<Ok<MailTestResult>, ValidationProblem>> MailTestAsync(MailTestRequest request, CartwiseDb db, MailTransports transports,
        TimeProvider clock, CancellationToken ct)
    {
        if (!MimeKit.MailboxAddress.TryParse(request.To, out _)) return Problems.Field("to", $"'{request.To}' is not an email address.");
        return TypedResults.Ok(await MailTest.SendAsync(db, transports, clock, request.To, ct));
    }

    private static string? Mask(string? url) =>
        url is null || !Uri.TryCreate(url, UriKind.Absolute, out var u) || !u.UserInfo.Contains(':', StringComparison.Ordinal)
            ? url : url.Replace(u.UserInfo, u.UserInfo[..u.UserInfo.IndexOf(':', StringComparison.Ordinal)] + ":***", StringComparison.Ordinal);
}

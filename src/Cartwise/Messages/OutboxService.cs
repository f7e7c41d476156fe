using System.ComponentModel.DataAnnotations;
using Cartwise.Coupons;
using Cartwise.Core.Messages;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cartwise.Messages;

/// <summary>The outbox's settings (section <c>Outbox</c>, e.g. the environment variable <c>Outbox__LeaseSeconds</c>).</summary>
public sealed class OutboxOptions
{
    /// <summary>How long a claim holds a row; a row still claimed after this is taken over (its node is presumed dead).</summary>
    [Range(1, 86_400)] public int LeaseSeconds { get; set; } = 300;
    /// <summary>How often a node looks for due rows.</summary>
    [Range(0.05, 3600)] public double PollSeconds { get; set; } = 1;
    /// <summary>Rows claimed at once (without a store send rate).</summary>
    [Range(1, 10_000)] public int BatchSize { get; set; } = 100;
    /// <summary>Attempts before a temporarily failing row goes to the dead letters.</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 8;
    /// <summary>SMTP connections a node uses at once for one store (each sends its share of a claimed batch in order).</summary>
    [Range(1, 32)] public int Connections { get; set; } = 4;
}

/// <summary>Picks the transport of a store: its own SMTP server, else <c>serve --smtp</c>, else the file outbox.</summary>
public sealed class MailTransports(ServeSettings settings, SmtpSecrets secrets)
{
    /// <summary>The store's own SMTP address, decrypted; null when it uses the server's default.</summary>
    public string? StoreSmtp(Store store) => secrets.Unprotect(store.SmtpUrl);

    /// <summary>What to store for a store's own SMTP address (encrypted).</summary>
    public string? ProtectSmtp(string? url) => secrets.Protect(url);

    public string OutboxDirectory { get; } = settings.OutboxDirectory is { } dir ? Path.GetFullPath(dir)
        : settings.Database.Kind == DatabaseKind.Sqlite
            ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.Database.ConnectionString).DataSource)) ?? ".", "outbox")
            : Path.GetFullPath("outbox");

    public IMailTransport Create(Store store)
    {
        var url = StoreSmtp(store) ?? settings.Smtp;
        if (url is null) return new FileMailTransport(OutboxDirectory);
        return new SmtpMailTransport(SmtpSettings.Parse(url, out var error) ?? throw new InvalidOperationException($"SMTP setting of store '{store.Slug}': {error}"));
    }
}

/// <summary>
/// The outbox: rows are enqueued once per idempotency key, claimed by workers (a lease; <c>FOR UPDATE SKIP LOCKED</c>
/// on PostgreSQL, so two nodes never claim the same row), checked again, rendered and handed to the transport one by
/// one. A row is marked <c>sending</c> (committed) before it goes out and <c>sent</c> right after the server's answer;
/// a row found still <c>sending</c> after its lease was interrupted inside that window and is sent again, flagged
/// <see cref="OutboxMessage.Uncertain"/>.
/// </summary>
public sealed partial class OutboxService(DatabaseTarget target, TimeProvider clock, MessageComposer composer, MailTransports transports,
    PublicUrls urls, IMessageScenarios scenarios, IOptions<OutboxOptions> options, ILogger<OutboxService> log)
{
    private readonly OutboxOptions _options = options.Value;

    /// <summary>One pass: claims and sends what is due, store by store, within each store's send rate. Returns rows handled.</summary>
    public async Task<int> PassAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<long> stores;
        await using (var session = await target.OpenSessionAsync(ct))
            stores = await Sql.QueryAsync(session,
                $"""
                SELECT DISTINCT "StoreId" FROM "Outbox"
                WHERE ("Status" = '{OutboxStatus.Pending}' AND "DueAt" <= @p0) OR ("Status" IN ('{OutboxStatus.Claimed}', '{OutboxStatus.Sending}') AND "ClaimedUntil" < @p0)
                """,
                [now], r => r.GetInt64(0), ct);
        var handled = 0;
        foreach (var storeId in stores)
        {
            using var span = Hosting.Telemetry.Source.StartActivity("cartwise.outbox.pass");
            span?.SetTag("cartwise.store", storeId);
            await using var db = target.CreateContext();
            db.CurrentStoreId = storeId;
            var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == storeId, ct);
            await DeadLetterInterruptedAsync(db, now, ct);
            // A send rate is kept per pass: a pass a second sends at most that many.
            var budget = store.SendRate > 0 ? Math.Max(1, (int)(store.SendRate * _options.PollSeconds)) : int.MaxValue;
            while (budget > 0)
            {
                var ids = await ClaimAsync(db, Math.Min(budget, _options.BatchSize), ct);
                if (ids.Count == 0) break;
                // The claimed rows are split over a few connections: a single SMTP conversation waits on every reply.
                var shares = Shares(ids, _options.Connections);
                await Parallel.ForEachAsync(shares, new ParallelOptions { MaxDegreeOfParallelism = shares.Count, CancellationToken = ct }, async (share, token) =>
                {
                    await using var part = target.CreateContext();
                    part.CurrentStoreId = storeId;
                    await SendAsync(part, store, share.ToList(), token);
                });
                handled += ids.Count;
                budget -= ids.Count;
            }
        }
        return handled;
    }

    /// <summary>
    /// Claimed rows split over at most <paramref name="connections"/> shares, a recipient's rows all in one share in
    /// claim order: a share is sent row by row, so the caps checked at send time see the recipient's earlier send of
    /// the same batch (two shares sending in parallel could both pass the check).
    /// </summary>
    internal static List<List<long>> Shares(IReadOnlyList<(long Id, long? Customer)> rows, int connections)
    {
        var shares = Enumerable.Range(0, Math.Max(1, Math.Min(connections, rows.Count))).Select(_ => new List<long>()).ToList();
        foreach (var recipient in rows.GroupBy(r => r.Customer ?? -r.Id))
            shares.MinBy(x => x.Count)!.AddRange(recipient.Select(r => r.Id));
        return shares.Where(x => x.Count > 0).ToList();
    }

    private async Task<List<(long Id, long? Customer)>> ClaimAsync(CartwiseDb db, int limit, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var lockClause = db.Kind == DatabaseKind.Postgres ? " FOR UPDATE SKIP LOCKED" : "";
        return await Sql.QueryAsync(DbSession.From(db),
            $"""
            UPDATE "Outbox" SET "Uncertain" = CASE WHEN "Status" = '{OutboxStatus.Sending}' THEN TRUE ELSE "Uncertain" END,
                "Status" = '{OutboxStatus.Claimed}', "Attempts" = "Attempts" + 1, "ClaimedUntil" = @p1
            WHERE "Id" IN (SELECT "Id" FROM "Outbox" WHERE {StoreSql.Filter()} AND (("Status" = '{OutboxStatus.Pending}' AND "DueAt" <= @p2)
                OR ("Status" IN ('{OutboxStatus.Claimed}', '{OutboxStatus.Sending}') AND "ClaimedUntil" < @p2 AND "Attempts" < @p4))
                ORDER BY "DueAt", "Id" LIMIT @p3{lockClause})
            RETURNING "Id", "CustomerId"
            """,
            [db.CurrentStoreId, now.AddSeconds(_options.LeaseSeconds), now, limit, _options.MaxAttempts], r => (r.GetInt64(0), r.IsDBNull(1) ? (long?)null : r.GetInt64(1)), ct);
    }

    /// <summary>
    /// Rows whose lease ran out after their last allowed attempt were interrupted that many times (a process that died
    /// while sending them, perhaps because of them): dead letters, never claimed again after every restart. The claim
    /// itself leaves such rows alone, so one sweep a store and pass is enough.
    /// </summary>
    private async Task DeadLetterInterruptedAsync(CartwiseDb db, DateTimeOffset now, CancellationToken ct)
    {
        var dead = await Sql.QueryAsync(DbSession.From(db),
            $"""
            UPDATE "Outbox" SET "Status" = '{OutboxStatus.Failed}', "ClaimedUntil" = NULL, "LastError" = 'interrupted at each of ' || CAST("Attempts" AS VARCHAR(12)) || ' attempts'
            WHERE {StoreSql.Filter()} AND "Status" IN ('{OutboxStatus.Claimed}', '{OutboxStatus.Sending}') AND "ClaimedUntil" < @p1 AND "Attempts" >= @p2
            RETURNING "Id"
            """,
            [db.CurrentStoreId, now, _options.MaxAttempts], r => r.GetInt64(0), ct);
        foreach (var id in dead) LogFailed(log, id, "interrupted at every attempt");
        if (dead.Count > 0) Hosting.Telemetry.OutboxResults.Add(dead.Count, Hosting.Telemetry.Tag("result", OutboxStatus.Failed));
    }

    /// <summary>Adds rows already claimed by the caller (test sends) and sends them at once.</summary>
    public async Task<List<OutboxMessage>> SendNowAsync(CartwiseDb db, Store store, IReadOnlyList<OutboxMessage> rows, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var row in rows)
        {
            row.Status = OutboxStatus.Claimed;
            row.Attempts = 1;
            row.ClaimedUntil = now.AddSeconds(_options.LeaseSeconds);
            db.Outbox.Add(row);
        }
        await db.SaveChangesAsync(ct);
        await SendAsync(db, store, rows.Select(r => r.Id).ToList(), ct);
        db.ChangeTracker.Clear();
        var ids = rows.Select(r => r.Id).ToList();
        return await db.Outbox.AsNoTracking().Where(o => ids.Contains(o.Id)).OrderBy(o => o.Id).ToListAsync(ct);
    }

    private async Task<int> SendAsync(CartwiseDb db, Store store, List<long> ids, CancellationToken ct)
    {
        var rows = await db.Outbox.Where(o => ids.Contains(o.Id) && o.Status == OutboxStatus.Claimed).OrderBy(o => o.DueAt).ThenBy(o => o.Id).ToListAsync(ct);
        var messages = new Dictionary<long, LoadedMessage?>();
        var scopes = new Dictionary<(long, string?), (ScenarioScope? Scope, Sender? Sender)>();
        var secret = await SecretAsync(db, store, ct);
        // The orders and purchase histories the messages show, for the whole share at once: read per row, they were a
        // third of a message's own work. Consent, suppression and caps are still checked row by row, at send time.
        var data = await MessageComposer.LoadDataAsync(db, rows.Where(r => r.OrderId is not null).Select(r => r.OrderId!.Value),
            rows.Where(r => r.CustomerId is not null).Select(r => r.CustomerId!.Value), ct);
        await using var transport = transports.Create(store);
        try
        {
            foreach (var row in rows) await SendOneAsync(db, store, row, messages, scopes, secret, data, transport, ct);
        }
        finally
        {
            // The last answers are recorded whatever happens to the pass (shutdown included).
            await db.SaveChangesAsync(CancellationToken.None);
        }
        return rows.Count;
    }

    private async Task SendOneAsync(CartwiseDb db, Store store, OutboxMessage row, Dictionary<long, LoadedMessage?> messages,
        Dictionary<(long, string?), (ScenarioScope? Scope, Sender? Sender)> scopes, string secret, ComposeData data, IMailTransport transport, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        try
        {
            if (!messages.TryGetValue(row.MessageId, out var message))
                messages[row.MessageId] = message = row.Kind == OutboxKinds.Confirmation && row.MessageId == 0
                    ? ConsentConfirmation.BuiltIn(store, await db.Senders.AsNoTracking().OrderBy(s => s.Id).FirstOrDefaultAsync(ct))
                    : await composer.LoadAsync(db, row.MessageId, ct);
            if (message is null)
            {
                Finish(row, OutboxStatus.Failed, "the message was deleted");
                await db.SaveChangesAsync(ct);
                return;
            }
            var (reason, recipient) = await SkipReasonAsync(db, row, now, ct);
            if (reason is not null)
            {
                Finish(row, OutboxStatus.Skipped, reason);
                await db.SaveChangesAsync(ct);
                return;
            }
            var coupon = await CouponService.AssignAsync(db, message.Message, row, now, ct);
            var products = row.ProductIds is { Length: > 0 } p ? p.Split(',').Select(x => long.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToList() : [];
            var links = urls.For(secret, row.Id);
            var (strategy, categories, scenarioSender) = await ScenarioScopeAsync(db, row, scopes, ct);
            var (rendered, variant) = await composer.RenderAsync(db, store, message,
                new ComposeInput(row.CustomerId, row.Email, row.Language, row.OrderId, products, coupon, links, Sample: row.IsTest, strategy, categories, recipient), ct, data);
            var mime = MessageComposer.Mime(rendered, scenarioSender ?? message.Sender, store, row.Email, recipient?.FirstName, MessageComposer.MessageIdFor(store, row.Id), links.UnsubscribeUrl, row.IsTest, now);

            // The window: from this commit to the one that records the server's answer, right after it. An
            // interruption inside it (a killed process, the database gone) leaves the row 'sending'; the next claim
            // sends it again and flags it Uncertain. The answer is committed at once rather than with the next row:
            // that window also held the next row's loads and rendering, and held four times as many rows a kill hit.
            row.Status = OutboxStatus.Sending;
            row.Subject = rendered.Subject;
            row.CouponCode = coupon?.Code;
            row.Language = variant.Language;
            await CommitSendingAsync(db, row, MessageComposer.Compress(mime), ct);
            var answer = await transport.SendAsync(mime, ct);
            row.ProviderResponse = answer.Length > 500 ? answer[..500] : answer;
            row.SentAt = clock.GetUtcNow();
            Finish(row, OutboxStatus.Sent, null);
            await CommitSentAsync(db, row);
        }
        catch (Exception e) when (e is MessageRenderException or CouponPoolEmptyException)
        {
            Finish(row, OutboxStatus.Failed, e.Message);
            await db.SaveChangesAsync(CancellationToken.None);
            LogFailed(log, row.Id, e.Message);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && (DeliveryFailures.IsTemporary(e) || e is MailKit.Net.Smtp.SmtpCommandException || e is MailKit.Security.AuthenticationException))
        {
            var description = DeliveryFailures.Describe(e);
            if (DeliveryFailures.IsTemporary(e) && row.Attempts < _options.MaxAttempts)
            {
                // Exponential backoff: 30 s, 1 min, 2 min… at most 6 hours.
                var wait = TimeSpan.FromSeconds(Math.Min(30 * Math.Pow(2, row.Attempts - 1), 6 * 3600));
                row.Status = OutboxStatus.Pending;
                row.DueAt = clock.GetUtcNow() + wait;
                row.ClaimedUntil = null;
                row.LastError = description;
                Hosting.Telemetry.OutboxResults.Add(1, Hosting.Telemetry.Tag("result", Hosting.Telemetry.OutboxRetry));
                LogRetry(log, row.Id, description, wait);
            }
            else
            {
                Finish(row, OutboxStatus.Failed, description);
                if (e is MailKit.Net.Smtp.SmtpCommandException { ErrorCode: MailKit.Net.Smtp.SmtpErrorCode.RecipientNotAccepted } && !row.IsTest)
                    await SuppressAsync(db, row.Email, "bounce", row.Id, clock.GetUtcNow(), ct);
                LogFailed(log, row.Id, description);
            }
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is not DbUpdateException && e is not System.Data.Common.DbException)
        {
            // Anything else (a template filter that throws, a transport that refuses an option): a dead letter with
            // the reason, never a row retried forever.
            Finish(row, OutboxStatus.Failed, "unexpected: " + e.Message);
            await db.SaveChangesAsync(CancellationToken.None);
            LogFailed(log, row.Id, e.ToString());
        }
    }

    /// <summary>
    /// Stores a row as 'sending' with the message about to go out, in one transaction of two statements rather than
    /// through the change tracker (this commit is on every message's path; the tracked row is then marked as saved).
    /// A retry replaces what an earlier attempt stored: its coupon or content may differ.
    /// </summary>
    private static async Task CommitSendingAsync(CartwiseDb db, OutboxMessage row, byte[] mimeGzip, CancellationToken ct)
    {
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var session = DbSession.From(db);
            if (row.Attempts > 1)
                await Sql.ExecuteAsync(session, $"""DELETE FROM "OutboxBodies" WHERE {StoreSql.Filter()} AND "OutboxId" = @p1""", [row.StoreId, row.Id], ct);
            await Sql.ExecuteAsync(session,
                $"""
                UPDATE "Outbox" SET "Status" = @p2, "Subject" = @p3, "CouponCode" = @p4, "Language" = @p5
                WHERE {StoreSql.Filter()} AND "Id" = @p1
                """, [row.StoreId, row.Id, row.Status, row.Subject, row.CouponCode, row.Language], ct);
            await Sql.ExecuteAsync(session, """INSERT INTO "OutboxBodies" ("StoreId", "OutboxId", "MimeGzip") VALUES (@p0, @p1, @p2)""",
                [row.StoreId, row.Id, mimeGzip], ct);
            await tx.CommitAsync(ct);
        }
        db.Entry(row).State = EntityState.Unchanged;
    }

    /// <summary>
    /// Commits a row the server accepted, in one statement rather than through the change tracker (this commit is on
    /// every message's path; the tracked row is then marked as saved). A database briefly away (a restart takes
    /// seconds) is waited for, 0.1 s to 1 s apart for about 5 s: given up, the row stays 'sending' and goes out again,
    /// flagged uncertain.
    /// </summary>
    private static async Task CommitSentAsync(CartwiseDb db, OutboxMessage row)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Sql.ExecuteAsync(DbSession.From(db),
                    $"""
                    UPDATE "Outbox" SET "Status" = @p2, "ProviderResponse" = @p3, "SentAt" = @p4, "LastError" = NULL, "ClaimedUntil" = NULL
                    WHERE {StoreSql.Filter()} AND "Id" = @p1
                    """, [row.StoreId, row.Id, row.Status, row.ProviderResponse, row.SentAt], CancellationToken.None);
                db.Entry(row).State = EntityState.Unchanged;
                return;
            }
            catch (Exception e) when (attempt < 8 && DatabaseFaults.IsTransient(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 << (attempt - 1))), TimeProvider.System);
            }
        }
    }

    /// <summary>
    /// What the row's scenario adds: a cross-selling rule's "what to recommend" (strategy, categories) for the
    /// message's RECOMMENDED blocks, and the scenario's sender (the sender step), which wins over the message's own.
    /// Read once per scenario for a batch (<paramref name="scopes"/>); whether the scenario may still send is the
    /// send-time check's, per row.
    /// </summary>
    private async Task<(string? Strategy, IReadOnlyList<long>? Categories, Sender? Sender)> ScenarioScopeAsync(CartwiseDb db, OutboxMessage row,
        Dictionary<(long, string?), (ScenarioScope? Scope, Sender? Sender)> scopes, CancellationToken ct)
    {
        if (row.ScenarioId is not { } id) return (null, null, null);
        if (!scopes.TryGetValue((id, row.Rule), out var known))
        {
            var scope = await scenarios.ScopeAsync(db, id, row.Rule, ct);
            var sender = scope?.SenderId is { } sid ? await db.Senders.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sid, ct) : null;
            scopes[(id, row.Rule)] = known = (scope, sender);
        }
        return (known.Scope?.Strategy, known.Scope?.Categories, known.Sender);
    }

    private static void Finish(OutboxMessage row, string status, string? error)
    {
        row.Status = status;
        row.LastError = error;
        row.ClaimedUntil = null;
        Hosting.Telemetry.OutboxResults.Add(1, Hosting.Telemetry.Tag("result", status));
    }

    /// <summary>
    /// Consent and suppression, checked at send time in one plain SQL statement (on every message's path, where EF's
    /// query pipeline cost three times the query), with the recipient's profile for the rendering when the row names
    /// a customer; then the scenario's own checks.
    /// </summary>
    private async Task<(string? Reason, Core.Messages.RenderCustomer? Recipient)> SkipReasonAsync(CartwiseDb db, OutboxMessage row, DateTimeOffset now, CancellationToken ct)
    {
        var c = (await Sql.QueryAsync(DbSession.From(db),
            $"""
            SELECT EXISTS (SELECT 1 FROM "Suppressions" s WHERE s."StoreId" = @p0 AND s."Email" = @p1),
                c."Id", c."EmailConsent", c."ErasedAt", c."FirstName", c."LastName", c."Email", c."Language"
            FROM (SELECT 1 AS "One") x LEFT JOIN "Customers" c ON {StoreSql.Check("c")} AND c."Id" = @p2
            """,
            [db.CurrentStoreId, row.Email.ToLowerInvariant(), row.CustomerId], r => (Suppressed: r.GetBoolean(0), Found: !r.IsDBNull(1),
                EmailConsent: r.IsDBNull(2) ? (bool?)null : r.GetBoolean(2), Erased: !r.IsDBNull(3), FirstName: Sql.Text(r, 4), LastName: Sql.Text(r, 5),
                Email: Sql.Text(r, 6), Language: Sql.Text(r, 7)), ct)).Single();
        // A row whose customer is gone counts as erased, whatever its address.
        if (c.Suppressed && (row.CustomerId is null || c.Found)) return ("suppressed", null);
        Core.Messages.RenderCustomer? recipient = null;
        if (row.CustomerId is not null)
        {
            if (!row.IsTest)
            {
                if (!c.Found || c.Erased) return ("erased", null);
                // A confirmation goes to someone who has not consented yet: that is what it asks for.
                if (row.Kind == OutboxKinds.Confirmation) { if (c.EmailConsent == true) return ("already confirmed", null); }
                else if (c.EmailConsent != true) return ("no email consent", null);
            }
            if (c.Found) recipient = new Core.Messages.RenderCustomer(c.FirstName, c.LastName, c.Email, c.Language);
        }
        if (row.IsTest) return (null, recipient);
        if (row.ScenarioId is not null && await scenarios.SkipReasonAsync(db, row, now, ct) is { } reason) return (reason, null);
        return (null, recipient);
    }

    /// <summary>The store's link secret, made on first use.</summary>
    public static async Task<string> SecretAsync(CartwiseDb db, Store store, CancellationToken ct)
    {
        if (store.LinkSecret is { } s) return s;
        var secret = LinkSigner.NewSecret();
        // Only set when still empty: two nodes making one at once agree on whichever was written first.
        await db.Stores.Where(x => x.Id == store.Id && x.LinkSecret == null).ExecuteUpdateAsync(u => u.SetProperty(x => x.LinkSecret, secret), ct);
        store.LinkSecret = await db.Stores.Where(x => x.Id == store.Id).Select(x => x.LinkSecret).SingleAsync(ct);
        return store.LinkSecret!;
    }

    /// <summary>Puts an address on the store's suppression list (once) and withdraws the consent of its customers.</summary>
    /// <param name="customerId">A customer whose consent goes too, whatever their address now (the recipient of an unsubscribed message).</param>
    public static async Task SuppressAsync(CartwiseDb db, string email, string reason, long? outboxId, DateTimeOffset now, CancellationToken ct, long? customerId = null)
    {
        var lower = email.ToLowerInvariant();
        if (!await db.Suppressions.AnyAsync(s => s.Email == lower, ct))
        {
            db.Suppressions.Add(new Suppression { StoreId = db.CurrentStoreId, Email = lower, Reason = reason, OutboxId = outboxId, At = now });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
            }
        }
        await Customers.CustomerConsent.RecordAsync(db.Customers.Where(c => c.Email == lower || c.Email == email || c.Id == customerId), false, reason, now, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox row {Row} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, long row, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox row {Row} will be retried in {Wait}: {Reason}")]
    private static partial void LogRetry(ILogger logger, long row, string reason, TimeSpan wait);
}

/// <summary>Sends due outbox rows every <see cref="OutboxOptions.PollSeconds"/>.</summary>
internal sealed class OutboxWorker(OutboxService outbox, TimeProvider clock, IOptions<OutboxOptions> options, ILogger<OutboxWorker> log)
    : PollingWorker(clock, TimeSpan.FromSeconds(options.Value.PollSeconds), log)
{
    internal override Task PassAsync(CancellationToken ct) => outbox.PassAsync(ct);
}

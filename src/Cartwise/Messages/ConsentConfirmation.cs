using Cartwise.Core.Messages;
using Cartwise.Data;
using Cartwise.Stores;

namespace Cartwise.Messages;

/// <summary>
/// Double opt-in: consent given through the public tracking key (no valid customer token) is not taken at its word.
/// The event writer queues an outbox row of kind <see cref="OutboxKinds.Confirmation"/>; its email carries a signed
/// <c>{{ confirm_url }}</c>, and only the recipient's click there (a page with a button, then a POST, so that mail
/// scanners that follow links confirm nothing) records the consent.
/// </summary>
public static class ConsentConfirmation
{
    /// <summary>The source recorded with a consent confirmed by email.</summary>
    public const string Source = "double-opt-in";

    /// <summary>The confirmation a store gets unless it designs its own (<see cref="Store.ConfirmationMessageId"/>).</summary>
    public static LoadedMessage BuiltIn(Store store, Sender? sender)
    {
        IReadOnlyList<MessageVariant> variants =
        [
            new("en", "Please confirm your subscription to {{ store.name }}", "One click and you are in.",
            [
                new Block(BlockTypes.Heading, Text: "Confirm your subscription"),
                new Block(BlockTypes.Text, Text: "Someone, hopefully you, asked to get emails from {{ store.name }} at {{ customer.email }}. Confirm it with the button below; if it was not you, ignore this email and nothing will be sent."),
                new Block(BlockTypes.Button, Text: "Yes, subscribe me", Url: "{{ confirm_url }}"),
                new Block(BlockTypes.Footer),
            ]),
            new("pl", "Potwierdź subskrypcję {{ store.name }}", "Jedno kliknięcie i gotowe.",
            [
                new Block(BlockTypes.Heading, Text: "Potwierdź subskrypcję"),
                new Block(BlockTypes.Text, Text: "Ktoś, mamy nadzieję, że Ty, poprosił o wiadomości od {{ store.name }} na adres {{ customer.email }}. Potwierdź to przyciskiem poniżej; jeśli to nie Ty, zignoruj tę wiadomość, a nic więcej nie wyślemy."),
                new Block(BlockTypes.Button, Text: "Tak, zapisuję się", Url: "{{ confirm_url }}"),
                new Block(BlockTypes.Footer),
            ]),
        ];
        var message = new Message { Id = 0, StoreId = store.Id, Name = "Subscription confirmation", DefaultLanguage = "en", Variants = "[]", SenderId = sender?.Id };
        return new LoadedMessage(message, variants, sender);
    }

    /// <summary>Records the consent the recipient of a confirmation row confirmed; false when there is nobody to confirm.</summary>
    public static async Task<bool> ConfirmAsync(CartwiseDb db, OutboxMessage row, DateTimeOffset now, CancellationToken ct)
    {
        if (row.Kind != OutboxKinds.Confirmation || row.CustomerId is not { } id) return false;
        var email = row.Email.ToLowerInvariant();
        return await Customers.CustomerConsent.RecordAsync(db.Customers.Where(c => c.Id == id && c.ErasedAt == null && c.Email == email), true, Source, now, ct) > 0;
    }
}

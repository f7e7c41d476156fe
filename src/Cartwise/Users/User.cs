namespace Cartwise.Users;

/// <summary>
/// A person who signs in to the admin app: one installation has many, each granted one or more stores (an agency's
/// user sees all of theirs). Not store-owned: a user stands above stores.
/// </summary>
public sealed class User
{
    public long Id { get; set; }
    /// <summary>Lower-cased; unique per installation.</summary>
    public required string Email { get; set; }
    /// <summary>ASP.NET Core's <c>PasswordHasher</c> format (PBKDF2 with a salt and an iteration count inside).</summary>
    public required string PasswordHash { get; set; }
    /// <summary>Failed sign-ins since the last success; at <see cref="UserService.MaxFailures"/> the user is locked out for a while.</summary>
    public int FailedSignIns { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }
}

/// <summary>A store a user may open.</summary>
public sealed class UserStore
{
    public long UserId { get; set; }
    public long StoreId { get; set; }
}

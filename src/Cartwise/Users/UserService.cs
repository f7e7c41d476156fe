using Cartwise.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Users;

/// <summary>The outcome of a sign-in: the user, or why not (a wrong password and an unknown email read the same).</summary>
public sealed record SignInResult(User? User, string? Problem);

/// <summary>Users of the admin app: creation, passwords, sign-in with lock-out, the stores each may open. The one write path of <see cref="User"/> rows.</summary>
public static class UserService
{
    /// <summary>Failed sign-ins in a row that lock a user out for <see cref="LockOut"/>.</summary>
    public const int MaxFailures = 5;

    public static readonly TimeSpan LockOut = TimeSpan.FromMinutes(15);

    /// <summary>The shortest password accepted.</summary>
    public const int MinPasswordLength = 10;

    private static readonly PasswordHasher<User> Hasher = new();

    public static string? PasswordProblem(string password) =>
        password.Length < MinPasswordLength ? $"A password has at least {MinPasswordLength} characters." : null;

    /// <summary>Creates a user (or, with <paramref name="resetIfExists"/>, sets the password of an existing one) and grants the stores.</summary>
    public static async Task<User> SaveAsync(CartwiseDb db, string email, string password, IReadOnlyList<long> storeIds, DateTimeOffset now, CancellationToken ct,
        bool resetIfExists = false)
    {
        email = email.Trim().ToLowerInvariant();
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, ct);
        if (user is not null && !resetIfExists) throw new InvalidOperationException($"A user {email} exists already; reset the password instead.");
        if (user is null)
        {
            user = new User { Email = email, PasswordHash = "", CreatedAt = now };
            db.Users.Add(user);
        }
        user.PasswordHash = Hasher.HashPassword(user, password);
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        await db.SaveChangesAsync(ct);
        var granted = await db.UserStores.Where(g => g.UserId == user.Id).Select(g => g.StoreId).ToListAsync(ct);
        foreach (var id in storeIds.Except(granted)) db.UserStores.Add(new UserStore { UserId = user.Id, StoreId = id });
        await db.SaveChangesAsync(ct);
        return user;
    }

    /// <summary>The users who may open a store, by email.</summary>
    public static Task<List<User>> OfStoreAsync(CartwiseDb db, long storeId, CancellationToken ct) =>
        db.Users.AsNoTracking().Where(u => db.UserStores.Any(g => g.UserId == u.Id && g.StoreId == storeId)).OrderBy(u => u.Email).ToListAsync(ct);

    /// <summary>
    /// Lets a user open a store (the settings page): an existing user keeps their password; a new one needs one.
    /// A problem names the field (email or password) and changes nothing.
    /// </summary>
    public static async Task<(string Field, string Error)?> GrantAsync(CartwiseDb db, string email, string? password, long storeId, DateTimeOffset now, CancellationToken ct)
    {
        email = email.Trim().ToLowerInvariant();
        if (Core.Customers.ContactPoints.NormalizeEmail(email) is null) return ("email", $"'{email}' is not a valid email address.");
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, ct);
        if (user is null)
        {
            if (string.IsNullOrEmpty(password)) return ("password", "A new user needs a password.");
            if (PasswordProblem(password) is { } problem) return ("password", problem);
            await SaveAsync(db, email, password, [storeId], now, ct);
            return null;
        }
        if (!await db.UserStores.AnyAsync(g => g.UserId == user.Id && g.StoreId == storeId, ct))
        {
            db.UserStores.Add(new UserStore { UserId = user.Id, StoreId = storeId });
            await db.SaveChangesAsync(ct);
        }
        return null;
    }

    /// <summary>Checks an email and password; counts failures and locks the user out after <see cref="MaxFailures"/>.</summary>
    public static async Task<SignInResult> SignInAsync(CartwiseDb db, string email, string password, DateTimeOffset now, CancellationToken ct)
    {
        const string wrong = "The email or the password is not right.";
        email = email.Trim().ToLowerInvariant();
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, ct);
        if (user is null) return new SignInResult(null, wrong);
        if (user.LockedUntil > now)
            return new SignInResult(null, $"Too many failed sign-ins: try again after {user.LockedUntil:HH:mm} UTC, or ask for a password reset (cartwise user reset-password).");
        if (Hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
        {
            user.FailedSignIns++;
            if (user.FailedSignIns >= MaxFailures)
            {
                user.LockedUntil = now + LockOut;
                user.FailedSignIns = 0;
            }
            await db.SaveChangesAsync(ct);
            return new SignInResult(null, user.LockedUntil > now ? $"Too many failed sign-ins: try again after {user.LockedUntil:HH:mm} UTC." : wrong);
        }
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        user.LastSignInAt = now;
        await db.SaveChangesAsync(ct);
        return new SignInResult(user, null);
    }

    /// <summary>The stores a user may open, by name.</summary>
    public static Task<List<Stores.Store>> StoresAsync(CartwiseDb db, long userId, CancellationToken ct) =>
        db.Stores.AsNoTracking().Where(s => db.UserStores.Any(g => g.UserId == userId && g.StoreId == s.Id)).OrderBy(s => s.Name).ToListAsync(ct);

    /// <summary>True when the user was granted the store.</summary>
    public static Task<bool> MayOpenAsync(CartwiseDb db, long userId, long storeId, CancellationToken ct) =>
        db.UserStores.AnyAsync(g => g.UserId == userId && g.StoreId == storeId, ct);
}

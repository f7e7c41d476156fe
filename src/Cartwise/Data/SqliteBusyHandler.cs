using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Cartwise.Data;

/// <summary>
/// A busy handler for SQLite connections that tries a held lock again every millisecond (see <see cref="SqlitePragmas"/>
/// for why). SQLitePCLRaw does not expose <c>sqlite3_busy_handler</c>, so it is called in the same native library
/// (e_sqlite3) the provider loaded. Thread-safe: the handler keeps no state of its own.
/// </summary>
internal static class SqliteBusyHandler
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Callback(IntPtr waitMilliseconds, int count);

    // Kept for the life of the process: SQLite holds the pointer.
    private static readonly Callback Handler = Busy;
    private static readonly IntPtr HandlerPointer = Marshal.GetFunctionPointerForDelegate(Handler);

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_busy_handler")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
    private static extern int SetBusyHandler(IntPtr db, IntPtr handler, IntPtr argument);

    /// <summary>Makes the open connection wait up to <paramref name="waitMilliseconds"/> for a lock, trying every millisecond.</summary>
    public static void Install(SqliteConnection connection, int waitMilliseconds)
    {
        var rc = SetBusyHandler(connection.Handle!.DangerousGetHandle(), HandlerPointer, waitMilliseconds);
        if (rc != 0) throw new InvalidOperationException($"sqlite3_busy_handler failed with {rc}.");
    }

    /// <summary>SQLite calls it while a lock is held elsewhere: non-zero to try again (after a millisecond), zero to give up as busy.</summary>
    private static int Busy(IntPtr waitMilliseconds, int count)
    {
        if (count >= waitMilliseconds.ToInt64()) return 0;
        Thread.Sleep(1);
        return 1;
    }
}

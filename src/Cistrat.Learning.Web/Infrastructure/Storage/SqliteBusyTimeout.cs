using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cistrat.Learning.Web.Infrastructure.Storage;

/// <summary>
/// Lets SQLite itself wait for a concurrent writer (its busy handler retries within milliseconds), instead of
/// Microsoft.Data.Sqlite's own retry, which sleeps 150 ms at a time: with several job workers writing, those sleeps were
/// half of a certificate job's time (see the benchmark report).
/// </summary>
internal sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    public static readonly SqliteBusyTimeout Instance = new();

    private const string Pragma = "PRAGMA busy_timeout = 30000";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

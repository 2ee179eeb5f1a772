using Cistrat.Learning.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Web.Infrastructure.Storage;

/// <summary>Brings the database to the latest migration and, for SQLite, switches it to WAL mode.</summary>
public sealed class DatabaseMigrator(LearningDbContext db, IOptions<DatabaseOptions> options, ILogger<DatabaseMigrator> logger)
{
    public async Task MigrateAsync(CancellationToken ct)
    {
        if (!options.Value.MigrateOnStartup)
        {
            logger.LogInformation("Database:MigrateOnStartup is off; not applying migrations");
            return;
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, pending);
            await db.Database.MigrateAsync(ct);
        }

        if (db.Database.IsSqlite())
        {
            // WAL lets readers go on while one writer writes; the setting persists in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }
}

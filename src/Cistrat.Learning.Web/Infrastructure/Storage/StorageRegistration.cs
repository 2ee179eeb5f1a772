using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Microsoft.Extensions.DependencyInjection;

public static class StorageRegistration
{
    public const string ConnectionStringName = "Learning";

    /// <summary>
    /// The application database (SQLite file under the data folder by default, SQL Server when
    /// Database:Provider says so), data-protection keys in the data folder, and the DB health check.
    /// </summary>
    public static WebApplicationBuilder AddLearningStorage(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<LearningOptions>().BindConfiguration(LearningOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();

        var learning = builder.Configuration.GetSection(LearningOptions.Section).Get<LearningOptions>() ?? new LearningOptions();
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var folder = DataFolder.Resolve(learning, builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(folder);

        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = new SqliteConnectionStringBuilder(
                    string.IsNullOrWhiteSpace(connectionString) ? $"Data Source={folder.PathOf("learning.db")}" : connectionString)
                {
                    // Waits for a concurrent writer instead of failing at once with SQLITE_BUSY.
                    DefaultTimeout = 30,
                    Pooling = true,
                };
                builder.Services.AddDbContextPool<LearningDbContext>(o => o.UseSqlite(
                    sqlite.ConnectionString, s => s.MigrationsAssembly(MigrationsAssemblies.Sqlite)).AddInterceptors(SqliteBusyTimeout.Instance));
                break;
            case DatabaseProvider.SqlServer:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException(
                        "Database:Provider is SqlServer but ConnectionStrings:Learning (env ConnectionStrings__Learning) is not set.");
                }

                builder.Services.AddDbContextPool<LearningDbContext>(o => o.UseSqlServer(
                    connectionString, s => s.MigrationsAssembly(MigrationsAssemblies.SqlServer).EnableRetryOnFailure()));
                break;
            default:
                throw new InvalidOperationException($"Database:Provider '{database.Provider}' is not supported: use Sqlite or SqlServer.");
        }

        // Keys live in the data folder (never in git) so cookies survive restarts; several nodes behind one
        // load balancer share the folder or configure their own key ring.
        builder.Services.AddDataProtection()
            .SetApplicationName("Cistrat.Learning")
            .PersistKeysToFileSystem(new DirectoryInfo(folder.PathOf("keys")));

        builder.Services.AddHealthChecks().AddDbContextCheck<LearningDbContext>("database");
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}

using Cistrat.Learning.Core.Data;

namespace Cistrat.Learning.Web.Infrastructure.Storage;

/// <summary>Settings under "Database".</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    public bool MigrateOnStartup { get; set; } = true;
}

namespace Cistrat.Learning.Core.Data;

public enum DatabaseProvider
{
    Sqlite = 0,
    SqlServer = 1,
}

/// <summary>Names of the per-provider migrations assemblies (EF's "migrations with multiple providers").</summary>
public static class MigrationsAssemblies
{
    public const string Sqlite = "Cistrat.Learning.Migrations.Sqlite";
    public const string SqlServer = "Cistrat.Learning.Migrations.SqlServer";
}

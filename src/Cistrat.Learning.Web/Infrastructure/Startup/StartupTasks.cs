using Cistrat.Learning.Core.Content;
using Cistrat.Learning.Web.Features.Catalogue;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Web.Infrastructure.Startup;

/// <summary>
/// What runs before the app serves its first request, and the command-line commands:
/// <c>--demo</c> (seed demo data), <c>import-content</c>, <c>create-admin EMAIL</c>.
/// </summary>
public static class StartupTasks
{
    public const string DemoSwitch = "--demo";

    /// <summary>Splits our own switches and commands from the arguments the host understands.</summary>
    public static (string[] HostArgs, bool Demo, string[] Command) ParseArguments(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var demo = args.Contains(DemoSwitch, StringComparer.Ordinal);
        var rest = args.Where(a => a != DemoSwitch).ToArray();
        if (rest.Length > 0 && rest[0] is "import-content" or "create-admin")
            return ([.. rest.Skip(rest[0] == "create-admin" ? 2 : 1)], demo, rest[0] == "create-admin" ? rest.Take(2).ToArray() : [rest[0]]);
        return (rest, demo, []);
    }

    /// <summary>Prepares the database and content. Returns an exit code when a command ran instead of the server.</summary>
    public static async Task<int?> RunAsync(WebApplication app, bool demo, string[] command)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(command);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Cistrat.Learning.Startup");
        if (demo && app.Environment.IsProduction())
        {
            logger.LogCritical("--demo is refused in the Production environment: it creates accounts with a known password");
            return 2;
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
            var accounts = services.GetRequiredService<AccountBootstrapper>();
            await accounts.EnsureRolesAsync();
            await accounts.EnsureConfiguredAdminAsync();

            var options = services.GetRequiredService<IOptions<LearningOptions>>().Value;
            if (options.ImportContentOnStartup || command is ["import-content"] || demo)
            {
                var folder = services.GetRequiredService<DataFolder>();
                var result = await services.GetRequiredService<ContentImporter>().ImportAsync(folder.ContentRoot, app.Lifetime.ApplicationStopping);
                app.Services.GetRequiredService<CourseCatalog>().Invalidate();
                if (command is ["import-content"])
                {
                    foreach (var issue in result.Issues)
                        Console.WriteLine($"{issue.Severity}: {issue}");
                    Console.WriteLine($"Imported {result.CoursesImported} course(s): {result.LessonsAdded} lesson(s) added, {result.LessonsUpdated} updated, {result.LessonsRetired} retired; {result.Issues.Count} issue(s).");
                    return result.Issues.Any(i => i.Severity == ContentIssueSeverity.Error) ? 1 : 0;
                }
            }

            if (command is ["create-admin", var email])
            {
                var password = await accounts.CreateAdminWithGeneratedPasswordAsync(email);
                Console.WriteLine($"Created admin {email} with the password: {password}");
                Console.WriteLine("It is shown only this once: sign in and keep it somewhere safe.");
                return 0;
            }

            if (command is ["create-admin"])
            {
                Console.Error.WriteLine("Usage: create-admin EMAIL");
                return 2;
            }

            if (demo)
            {
                var generated = await services.GetRequiredService<DemoSeeder>().SeedAsync(app.Lifetime.ApplicationStopping);
                if (generated is not null)
                {
                    Console.WriteLine($"Demo accounts (trainee@, lecturer@, coordinator@, admin@{DemoSeeder.Domain}) have the password: {generated}");
                    Console.WriteLine("It is shown only this once; set Learning:DemoPassword to choose your own on a fresh data folder.");
                }
            }
        }

        return null;
    }
}

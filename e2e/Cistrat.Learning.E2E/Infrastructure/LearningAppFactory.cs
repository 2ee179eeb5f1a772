using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Cistrat.Learning.E2E.Infrastructure;

/// <summary>
/// The real app on a real Kestrel port (the browser needs one), over a SQLite file in a fresh temporary data folder,
/// with the repository's real course content. <paramref name="siteUrl"/> is the address the browser reaches it at, so
/// that links in mail (written by jobs, outside any request) lead back to this run's site.
/// </summary>
public sealed class LearningAppFactory(string dataPath, Uri siteUrl, ServerLog log) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        // Outside Development the host reads static assets only as a publish lays them out; from a build, the
        // gzip copy of site.css lives under obj/ and browsers (which accept gzip) got an empty stylesheet.
        // The build's runtime manifest maps both, as `dotnet run` does in Development.
        builder.UseStaticWebAssets();
        builder.UseSetting("Learning:DataPath", dataPath);
        builder.UseSetting("Learning:ContentPath", RepoPaths.Content);
        builder.UseSetting("Learning:SignInAttemptsPerMinute", "10000");
        builder.UseSetting("Learning:DemoPassword", DemoAccounts.Password);
        builder.UseSetting("Mail:SiteUrl", siteUrl.GetLeftPart(UriPartial.Authority));
        builder.ConfigureLogging(logging => logging.AddProvider(log));
    }
}

using System.Net;
using System.Security.Cryptography.X509Certificates;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cistrat.Learning.Web.Tests.Live.Scaleout;

/// <summary>
/// One web node of a scaled-out site: the app as <see cref="LearningAppFactory"/> configures it for tests (test
/// clock, test content, generous sign-in limit), but served by Kestrel over HTTPS on a free loopback port, over a
/// data folder (SQLite file and data-protection keys) shared with the other nodes, with the Redis backplane on.
/// </summary>
/// <remarks>
/// HTTPS, as in the e2e tests: outside Development the sign-in and antiforgery cookies are Secure-only.
/// Always SQLite, also when <see cref="LearningAppFactory.SqlServerVariable"/> is set: the nodes must share one
/// database, and the base class would give each factory a SQL Server database of its own.
/// </remarks>
public sealed class ScaleoutNode(string name, string dataPath, string contentPath, string redis, X509Certificate2 certificate)
    : LearningAppFactory
{
    public string Name { get; } = name;

    public NodeLog Log { get; } = new(name);

    public Uri BaseAddress { get; private set; } = null!;

    public Uri Hub => new(BaseAddress, "/hubs/live");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("ConnectionStrings:Learning", "");
        builder.UseSetting("Learning:DataPath", dataPath);
        builder.UseSetting("Learning:ContentPath", contentPath);
        builder.UseSetting(Microsoft.Extensions.DependencyInjection.LiveRegistration.RedisSetting, redis);
        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(Log);
            foreach (var category in NodeLog.InformationCategories)
                logging.AddFilter<NodeLog>(category, LogLevel.Information);
        });
    }

    /// <summary>Starts the host (which migrates the database and imports the content) and its Kestrel listener.</summary>
    public void Start()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        BaseAddress = new Uri(addresses.Single());
    }
}

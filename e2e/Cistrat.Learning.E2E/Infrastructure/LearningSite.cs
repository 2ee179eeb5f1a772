using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cistrat.Learning.Web.Infrastructure.Startup;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cistrat.Learning.E2E.Infrastructure;

/// <summary>
/// The app with the demo data, served by Kestrel over HTTPS on a free loopback port, and Debian's Chromium driven by
/// Playwright. Each account signs in once per run, through the real sign-in form; journeys reuse its storage state.
/// </summary>
/// <remarks>
/// HTTPS, not plain HTTP: outside Development the app marks its sign-in and antiforgery cookies Secure (CookieSecurePolicy.Always),
/// and ASP.NET Core's antiforgery refuses to issue a token over plain HTTP then, so every page with a form answers 500.
/// A self-signed certificate made for this run keeps the app configured as it is in production.
/// </remarks>
public sealed class LearningSite : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "cistrat-e2e", Guid.NewGuid().ToString("n"));
    private readonly X509Certificate2 _certificate = CreateLoopbackCertificate();
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _storageStates = new(StringComparer.OrdinalIgnoreCase);
    private ServerLog? _log;
    private LearningAppFactory? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The app's data folder for this run (its database, and the mail-pickup folder while no SMTP server is set).</summary>
    public string DataPath => _dataPath;

    /// <summary>The app's services, for journeys that must know what the server knows (a quiz's answer key).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The site has not started.");

    private IBrowser Browser => _browser ?? throw new InvalidOperationException("The site has not started.");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The browser tests drive Debian's Chromium at {ChromiumPath}, which is not installed: run `apt-get install chromium` " +
                "(Playwright cannot download a browser of its own here).");
        }

        Assertions.SetDefaultExpectTimeout(10_000);
        _log = new ServerLog(Path.Combine(RepoPaths.Screenshots, "server.log"));
        // The port is chosen before the app starts, because the app must know its own address for links in mail.
        var port = FreeLoopbackPort();
        _app = new LearningAppFactory(_dataPath, new Uri($"https://{IPAddress.Loopback}:{port}"), _log);
        _app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(_certificate)));
        _app.StartServer();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        BaseAddress = new Uri(addresses.First());

        await using (var scope = _app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(CancellationToken.None);

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A browser context signed in as <paramref name="email"/>; the sign-in itself happens once per run.</summary>
    public async Task<IBrowserContext> SignedInAsync(string email)
    {
        var state = await _storageStates.GetOrAdd(email, e => new Lazy<Task<string>>(() => SignInAsync(e))).Value;
        return await Browser.NewContextAsync(Options(Desktop, state));
    }

    /// <summary>A browser context of someone who has not signed in.</summary>
    public Task<IBrowserContext> VisitorAsync(ViewportSize? viewport = null, bool isMobile = false)
    {
        var options = Options(viewport ?? Desktop, storageState: null);
        options.IsMobile = isMobile;
        options.HasTouch = isMobile;
        return Browser.NewContextAsync(options);
    }

    private async Task<string> SignInAsync(string email)
    {
        await using var context = await Browser.NewContextAsync(Options(Desktop, storageState: null));
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");

        // Several demo people prefer French or Arabic, and the app rightly speaks their language once they sign in.
        // The journeys are written in English, so each account chooses English on this device first, as a person
        // would with the footer picker; the device's choice wins over the profile's language.
        await page.GetByLabel("Language", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "English" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Change language" }).ClickAsync();

        await page.GetByLabel("Email address", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(DemoAccounts.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My learning", Level = 1 })).ToBeVisibleAsync();
        return await context.StorageStateAsync();
    }

    private BrowserNewContextOptions Options(ViewportSize viewport, string? storageState) => new()
    {
        BaseURL = BaseAddress.ToString(),
        ViewportSize = viewport,
        Locale = "en-GB",
        IgnoreHTTPSErrors = true,
        StorageState = storageState,
    };

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null)
            await _app.DisposeAsync();
        _log?.Dispose();
        _certificate.Dispose();
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(_dataPath))
                Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finalising connection: the temp folder is cleaned by the OS later.
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static X509Certificate2 CreateLoopbackCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12 so the private key is a persisted one, which TLS servers on every platform accept.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AngleSharp.Html.Parser;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Live.Scaleout;

/// <summary>
/// Two web nodes of one site in this test process, on real loopback ports, over one SQLite data folder, joined by
/// a real redis-server as the SignalR backplane. Node A starts (and migrates the database) before node B.
/// Each test arranges a room of its own, so tests do not see each other's rooms.
/// </summary>
public sealed class ScaleoutCluster : IAsyncLifetime
{
    public const string Password = TestBrowser.Password;
    public const int DeckSlides = 8;

    private static readonly HtmlParser Parser = new();

    private readonly string _root = Path.Combine(Path.GetTempPath(), "cistrat-tests", "scaleout-" + Guid.NewGuid().ToString("n"));
    private readonly X509Certificate2 _certificate = CreateLoopbackCertificate();
    private readonly string _thumbprint;

    public ScaleoutCluster() => _thumbprint = _certificate.GetCertHashString();

    public RedisServer Redis { get; private set; } = null!;

    public ScaleoutNode A { get; private set; } = null!;

    public ScaleoutNode B { get; private set; } = null!;

    public IEnumerable<ScaleoutNode> Nodes => new[] { A, B }.Where(n => n is not null);

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        Redis = await RedisServer.StartNewAsync(ct);
        var data = Directory.CreateDirectory(Path.Combine(_root, "data")).FullName;
        var content = TestContent.Write(Path.Combine(_root, "content"));
        A = new ScaleoutNode("A", data, content, Redis.ConnectionString, _certificate);
        A.Start();
        B = new ScaleoutNode("B", data, content, Redis.ConnectionString, _certificate);
        B.Start();
    }

    /// <summary>Accepts this run's own certificate and no other.</summary>
    public bool Trusts(X509Certificate? certificate) =>
        certificate is not null && string.Equals(certificate.GetCertHashString(), _thumbprint, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Kills redis-server. Disposing the outage starts it again if the test has not, and waits until both nodes
    /// say they have their backplane back, so a failing test does not leave the next one without it.
    /// </summary>
    public async Task<Outage> StopRedisAsync()
    {
        await Redis.StopAsync();
        return new Outage(this, NodeLog.Now);
    }

    public sealed class Outage(ScaleoutCluster cluster, TimeSpan since) : IAsyncDisposable
    {
        public const string RestoredMessage = "Connection to Redis restored";

        public TimeSpan Since { get; } = since;

        public async ValueTask DisposeAsync()
        {
            if (!cluster.Redis.IsRunning)
                await cluster.Redis.StartAsync(CancellationToken.None);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(30)
                   && !cluster.Nodes.All(n => n.Log.Since(Since).Any(e => e.Message.Contains(RestoredMessage, StringComparison.Ordinal))))
            {
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    /// <summary>A live, running session of a new cohort with one lecturer and <paramref name="trainees"/> enrolled trainees.</summary>
    public async Task<Room> CreateRoomAsync(int trainees)
    {
        var tag = Guid.NewGuid().ToString("n")[..8];
        var lecturer = await CreateUserAsync($"lecturer-{tag}@scaleout.test", $"Lecturer {tag}", Roles.Lecturer);
        var people = new List<Person>();
        for (var i = 0; i < trainees; i++)
            people.Add(await CreateUserAsync($"trainee{i}-{tag}@scaleout.test", $"Trainee {i} {tag}", Roles.Trainee));

        var cohortId = await TestCohorts.CreateAsync(A, staff: [(lecturer.Id, StaffRole.Lecturer)]);
        var sessionId = await A.WithDbAsync(async db =>
        {
            foreach (var p in people)
                db.Enrolments.Add(new Enrolment { CohortId = cohortId, UserId = p.Id, Status = EnrolmentStatus.Active, RequestedAt = DateTime.UtcNow, DecidedAt = DateTime.UtcNow });
            var now = DateTime.UtcNow;
            var session = new LiveSession
            {
                CohortId = cohortId, Title = $"Scale-out {tag}", StartsAt = now.AddMinutes(-10), DurationMinutes = 120,
                OrganiserTimeZoneId = "Africa/Algiers", DeckKind = DeckKind.Markdown, DeckTitle = "Deck",
                DeckSlideCount = DeckSlides, DeckSlidesJson = System.Text.Json.JsonSerializer.Serialize(Enumerable.Range(1, DeckSlides).Select(n => $"<p>Slide {n}</p>")),
                CreatedById = lecturer.Id, CreatedAt = now, UpdatedAt = now,
            };
            session.Lecturers.Add(new LiveSessionLecturer { UserId = lecturer.Id });
            db.LiveSessions.Add(session);
            await db.SaveChangesAsync();
            return session.Id;
        });
        return new Room(sessionId, lecturer, people);
    }

    /// <summary>Signs in through the node's login form, as a browser would, and returns the cookies it was given.</summary>
    public async Task<CookieContainer> SignInAsync(ScaleoutNode node, Person person)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(person);
        var ct = TestContext.Current.CancellationToken;
        var cookies = new CookieContainer();
        using var handler = new SocketsHttpHandler
        {
            CookieContainer = cookies,
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => Trusts(certificate) },
        };
        using var http = new HttpClient(handler) { BaseAddress = node.BaseAddress };
        var page = await Parser.ParseDocumentAsync(await http.GetStringAsync(new Uri("/account/login", UriKind.Relative), ct));
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException($"No antiforgery token on node {node.Name}'s sign-in page");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = person.Email, ["Input.Password"] = Password, ["__RequestVerificationToken"] = token,
        });
        using var response = await http.PostAsync(new Uri("/account/login", UriKind.Relative), form, ct);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in of {person.Email} on node {node.Name} answered {(int)response.StatusCode}");
        Assert.Contains(cookies.GetCookies(node.BaseAddress), c => c.Name == "cistrat.auth");
        return cookies;
    }

    /// <summary>Signs <paramref name="person"/> in on <paramref name="node"/> and connects a room client there.</summary>
    public async Task<RoomClient> ConnectAsync(ScaleoutNode node, Person person, int sessionId, TimeSpan syncEvery)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(person);
        var cookies = await SignInAsync(node, person);
        return await RoomClient.ConnectAsync(person.Label, node, cookies, Trusts, sessionId, syncEvery, TestContext.Current.CancellationToken);
    }

    /// <summary>The room as the database holds it, in the shape a client shows it (staff see every question but withdrawn ones).</summary>
    public Task<RoomState> DatabaseStateAsync(int sessionId) => A.WithDbAsync(async db =>
    {
        var session = await db.LiveSessions.AsNoTracking().SingleAsync(s => s.Id == sessionId);
        var questions = await db.RoomQuestions.AsNoTracking()
            .Where(q => q.SessionId == sessionId && q.Status != QuestionStatus.Withdrawn)
            .OrderBy(q => q.Id).ToListAsync();
        return new RoomState(session.Version, session.CurrentSlide, session.Notes,
            [.. questions.Select(q => new QuestionState(q.Id, q.Text, q.Status.ToString().ToLowerInvariant(), q.Votes))]);
    });

    /// <summary>Both nodes' log lines since <paramref name="from"/>, in time order.</summary>
    public string Logs(TimeSpan from) =>
        string.Join('\n', Nodes.SelectMany(n => n.Log.Since(from).Select(e => (Node: n, Entry: e)))
            .OrderBy(x => x.Entry.At).Select(x => x.Node.Log.Format(x.Entry)));

    public async ValueTask DisposeAsync()
    {
        // B first: in SQL Server mode the base factory's disposal drops "its" database, here the shared SQLite file.
        if (B is not null)
            await B.DisposeAsync();
        if (A is not null)
            await A.DisposeAsync();
        if (Redis is not null)
            await Redis.DisposeAsync();
        _certificate.Dispose();
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finalising connection: the temp folder is cleaned by the OS later.
        }
    }

    private async Task<Person> CreateUserAsync(string email, string fullName, string role)
    {
        await using var scope = A.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser
        {
            UserName = email, Email = email, EmailConfirmed = true, FullName = fullName, Country = "DZ",
            TimeZoneId = "Africa/Algiers", CreatedAt = DateTime.UtcNow,
        };
        var created = await users.CreateAsync(user, Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        var added = await users.AddToRoleAsync(user, role);
        Assert.True(added.Succeeded, string.Join("; ", added.Errors.Select(e => e.Description)));
        return new Person(user.Id, email, fullName);
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

public sealed record Person(string Id, string Email, string FullName)
{
    /// <summary>"trainee0", "lecturer": the part of the address before the run's tag.</summary>
    public string Label => Email[..Email.IndexOf('-', StringComparison.Ordinal)];
}

public sealed record Room(int SessionId, Person Lecturer, IReadOnlyList<Person> Trainees);

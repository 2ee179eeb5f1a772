using Cistrat.Learning.Core.Certificates;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Web.Tests.Certificates;

/// <summary>
/// The certificate PDF as the issuing job stores it, read back with poppler: names in Latin script with diacritics,
/// Arabic, Chinese and Amharic are drawn with real glyphs (text a machine can extract where the script allows, and ink
/// that changes with the name, which a page of .notdef boxes would not), every PDF stays small, and a name no font can
/// draw fails its item with the code point named instead of printing boxes.
/// </summary>
public sealed class CertificatePdfTests(CertificateAppFactory app) : IClassFixture<CertificateAppFactory>, IAsyncLifetime
{
    /// <summary>The issue's target for a certificate with an embedded font subset.</summary>
    private const int MaxPdfBytes = 300 * 1024;

    // The holder's name in the templates: baseline 104 mm from the top, 30 pt, centred, between "This certifies that"
    // (baseline 86 mm) and "has completed the course" (baseline 118 mm). The band holds the name's ink and nothing else;
    // its sides stay inside the page's double frame (10.5 and 286.5 mm).
    private const double BandTop = 90, BandBottom = 109.5, BandLeft = 13, BandRight = 284;

    public async ValueTask InitializeAsync() => await app.ResetCertificatesAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static TheoryData<string, string, string, string> Names() => new()
    {
        // Script, the name, another name of as many characters (spaces in the same places), a font pdffonts must list.
        { "Latin", "Amélie Nguyễn Đức Ørsted", "Émilie Phạm Thị Åkessonn", "NotoSerif-Bold" },
        { "Arabic", "محمد عبد الله الفاسي", "أحمد علي يوسف الحكيم", "NotoNaskhArabic-Bold" },
        { "Chinese", "王小明", "李大伟", "Type 3" },
        { "Amharic", "አበበ በቂላ", "ከበደ ሞላው", "NotoSerifEthiopic-Bold" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public async Task HolderName_IsDrawnWithRealGlyphs_InASmallPdf(string script, string name, string other, string font)
    {
        Assert.Equal(name.Length, other.Length);
        var (pdf, otherPdf) = await IssueTwoAsync(name, other);
        TestContext.Current.TestOutputHelper?.WriteLine($"{script}: {pdf.Length / 1024.0:0.0} KB for \"{name}\", {otherPdf.Length / 1024.0:0.0} KB for \"{other}\"");
        Assert.True(pdf.Length < MaxPdfBytes, $"The {script} certificate is {pdf.Length / 1024} KB, over 300 KB.");
        Assert.True(otherPdf.Length < MaxPdfBytes, $"The other {script} certificate is {otherPdf.Length / 1024} KB, over 300 KB.");

        // The fonts that draw the script are in the file itself, not left to the reader's machine: a subset of the
        // TrueType font (only the glyphs used), or Type 3 glyph procedures for the CJK collection, each with a map back
        // to the characters.
        var fonts = await Poppler.FontsAsync(pdf);
        var describe = string.Join("; ", fonts.Select(f => $"{f.Name} ({f.Type}, emb {f.Embedded}, sub {f.Subset}, uni {f.HasToUnicode})"));
        var scriptFonts = fonts.Where(f => f.Name.Contains(font, StringComparison.Ordinal) || f.Type == font).ToList();
        Assert.True(scriptFonts.Count > 0, $"No {font} font in the {script} certificate: {describe}");
        Assert.All(scriptFonts, f => Assert.True(f.Embedded && f.HasToUnicode && (f.Subset || f.Type == "Type 3"), $"{f.Name} is not embedded as a subset with a ToUnicode map: {describe}"));
        Assert.All(fonts, f => Assert.True(f.Embedded, $"Font {f.Name} is not embedded: {describe}"));

        // The name's band has ink, and different ink for a different name of the same length in the same script: a
        // row of .notdef boxes (or of empty glyphs) would look the same for both.
        var page = await Poppler.RenderAsync(pdf);
        var otherPage = await Poppler.RenderAsync(otherPdf);
        var (left, top, right, bottom) = (Px(BandLeft), Px(BandTop), Px(BandRight), Px(BandBottom));
        var ink = page.DarkPixels(left, top, right, bottom);
        var otherInk = otherPage.DarkPixels(left, top, right, bottom);
        var differences = page.Differences(otherPage, left, top, right, bottom);
        TestContext.Current.TestOutputHelper?.WriteLine($"{script}: {ink} and {otherInk} dark pixels in the name's band, {differences} differ");
        Assert.True(ink > 250, $"The {script} name's band has only {ink} dark pixels: the name is not drawn.");
        Assert.True(otherInk > 250, $"The other {script} name's band has only {otherInk} dark pixels.");
        Assert.True(differences > 150, $"Two different {script} names look alike on the page ({differences} pixels differ): glyphs are boxes or blank.");
        // Everything else on the page is the same: the band is where the names differ.
        Assert.True(page.Differences(otherPage, left, Px(20), right, Px(80)) < 20, "The page above the name differs between the two certificates.");

        // The text layer holds the name as typed (for copying, search, screen readers), not what the glyphs alone map
        // back to (Han characters that share a glyph with a Kangxi radical, Arabic presentation forms).
        if (script is "Latin" or "Chinese" or "Amharic")
            Assert.Contains(name, await Poppler.TextAsync(pdf), StringComparison.Ordinal);
        if (script is "Arabic")
        {
            // Poppler reverses the text of a ligature of several letters within right-to-left text (the "lillah" of
            // "Abd Allah" comes out backwards), so the name without one is the one read back.
            Assert.Contains(other, await Poppler.TextAsync(otherPdf), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NameWithACharacterNoFontHas_FailsItsItem_NamingTheCodePoint()
    {
        var cohort = await CertificateWorld.CohortAsync(app);
        var undrawable = await CertificateWorld.TraineeAsync(app, "Nadia \U0010FFFD Haddad");
        var fine = await CertificateWorld.TraineeAsync(app, "Nadia Haddad");
        var undrawableEnrolment = await CertificateWorld.EnrolAsync(app, cohort, undrawable.Id);
        var fineEnrolment = await CertificateWorld.EnrolAsync(app, cohort, fine.Id);

        var batch = await CertificateWorld.IssueAsync(app, cohort, [undrawableEnrolment, fineEnrolment]);

        var items = await CertificateWorld.ItemsAsync(app, batch);
        var failed = items.Single(i => i.EnrolmentId == undrawableEnrolment);
        Assert.Equal(BatchItemStatus.Failed, failed.Status);
        Assert.Contains("U+10FFFD", failed.Error, StringComparison.Ordinal);
        Assert.Equal(1, failed.Attempts);
        // No document with boxes, and nothing that says there is one: no file, no mail, no certificate to verify.
        Assert.Equal(0, await app.WithDbAsync(db => db.CertificateFiles.CountAsync(f => db.Certificates.Any(c => c.Id == f.CertificateId && c.EnrolmentId == undrawableEnrolment))));
        Assert.Equal(0, await app.WithDbAsync(db => db.OutgoingMail.CountAsync(m => m.UserId == undrawable.Id)));
        Assert.Equal(0, await app.WithDbAsync(db => db.Certificates.CountAsync(c => c.EnrolmentId == undrawableEnrolment)));
        // The other trainee of the batch is not held up by it.
        var certificate = await CertificateWorld.CertificateOfAsync(app, batch, fineEnrolment);
        Assert.Contains("Nadia Haddad", await Poppler.TextAsync(await CertificateWorld.PdfAsync(app, certificate.Id)), StringComparison.Ordinal);
    }

    /// <summary>Issues certificates to two trainees of one cohort, through the batch and its jobs, and returns their PDFs.</summary>
    private async Task<(byte[] First, byte[] Second)> IssueTwoAsync(string first, string second)
    {
        var cohort = await CertificateWorld.CohortAsync(app);
        var a = await CertificateWorld.TraineeAsync(app, first);
        var b = await CertificateWorld.TraineeAsync(app, second);
        var ea = await CertificateWorld.EnrolAsync(app, cohort, a.Id);
        var eb = await CertificateWorld.EnrolAsync(app, cohort, b.Id);
        var batch = await CertificateWorld.IssueAsync(app, cohort, [ea, eb]);
        var ca = await CertificateWorld.CertificateOfAsync(app, batch, ea);
        var cb = await CertificateWorld.CertificateOfAsync(app, batch, eb);
        Assert.Equal(first, ca.HolderName);
        return (await CertificateWorld.PdfAsync(app, ca.Id), await CertificateWorld.PdfAsync(app, cb.Id));
    }

    private static int Px(double millimetres) => (int)Math.Round(millimetres * 72 / 25.4);
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cistrat.Learning.Web.Features.Catalogue;

/// <summary>A course's glossary: public, like the outline.</summary>
public class GlossaryModel(CourseCatalog catalog) : PageModel
{
    public CourseOutline Course { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        if (await catalog.FindAsync(slug, ct) is not { GlossaryHtml: not null } course)
            return NotFound();
        Course = course;
        return Page();
    }
}

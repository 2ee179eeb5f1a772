// Live progress of certificate batches on a cohort's certificates page: polls each unfinished batch once a second and
// reloads the page when all have finished, so the table shows the new certificates.
(() => {
  const batches = [...document.querySelectorAll('.batch[data-pending]')].filter(b => Number(b.dataset.pending) > 0);
  if (batches.length === 0) return;
  let open = batches.length;
  for (const batch of batches) {
    const bar = batch.querySelector('progress');
    const counts = batch.querySelector('.batch-counts');
    const failures = batch.querySelector('.batch-failures');
    const poll = async () => {
      try {
        const response = await fetch(batch.dataset.progressUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
        if (response.ok) {
          const p = await response.json();
          bar.max = p.total;
          bar.value = p.done + p.failed;
          counts.textContent = p.text;
          failures.replaceChildren(...p.failures.map(f => {
            const li = document.createElement('li');
            li.className = 'field-error';
            li.textContent = `${f.name}: ${f.error}`;
            return li;
          }));
          if (p.pending === 0) {
            if (--open === 0) location.reload();
            return;
          }
        }
      } catch { /* a dropped request on a weak link: try again next second */ }
      setTimeout(poll, 1000);
    };
    setTimeout(poll, 1000);
  }
})();

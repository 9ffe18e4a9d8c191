import { z } from 'zod';

// The page's CSP forbids eval; without this, zod probes `new Function` once and the browser reports
// a policy violation even though the probe's failure is handled.
z.config({ jitless: true });

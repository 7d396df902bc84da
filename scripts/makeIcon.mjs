// Renders images/icon.png (128x128, the Marketplace icon) from the SVG below with Debian's Chromium
// through playwright-core (installed by test/e2e/setup.sh's tools or the dev dependency).
//   node scripts/makeIcon.mjs
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <rect width="128" height="128" rx="24" fill="#1e3a5f"/>
  <path d="M64 18c-17 0-30 13-30 30 0 22 30 58 30 58s30-36 30-58c0-17-13-30-30-30z" fill="#f2b134"/>
  <circle cx="64" cy="48" r="13" fill="#1e3a5f"/>
  <circle cx="64" cy="48" r="6" fill="#ffffff"/>
  <path d="M30 110h68" stroke="#ffffff" stroke-width="6" stroke-linecap="round"/>
</svg>`;

mkdirSync('images', { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${SVG}</body></html>`);
  await page.locator('svg').screenshot({ path: 'images/icon.png', omitBackground: true });
} finally {
  await browser.close();
}
console.log('wrote images/icon.png');

// A small hand-written SVG bar chart of per-request cost: the floor, this project, the peer.

import { CASE } from '../sections/warm.ts';
import type { BenchReport } from './bench-report.ts';
import { GOALS, us } from './format.ts';

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderChart(report: BenchReport): string {
  const warm = report.warm;
  const width = 720;
  if (warm === undefined) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="40"><text x="8" y="24" font-family="sans-serif" font-size="13">warm section not run</text></svg>\n`;
  }
  const median = (name: string) => warm.cases.find((c) => c.name === name)?.perOpUs.median ?? 0;
  const bars: { label: string; value: number; color: string }[] = [
    { label: 'floor: one RS256 crypto.sign', value: median(CASE.floorSign), color: '#8a8a8a' },
    { label: 'this project: handler, bearer JWT', value: median(CASE.handlerBearer), color: '#1f6feb' },
    { label: 'this project: handler, Cognito cookie', value: median(CASE.handlerCognito), color: '#1f6feb' },
    { label: 'peer (guide): session + jwt.sign', value: median(CASE.peerDirect), color: '#d9822b' },
    { label: 'this project over HTTP', value: median(CASE.httpProject), color: '#6ea8fe' },
    { label: 'peer over HTTP (Express)', value: median(CASE.httpPeer), color: '#f0b36e' },
  ];
  const labelWidth = 260;
  const barArea = width - labelWidth - 90;
  const rowHeight = 26;
  const top = 34;
  const height = top + bars.length * rowHeight + 34;
  const max = Math.max(...bars.map((b) => b.value));
  const scale = (value: number) => (value / max) * barArea;
  const floor = median(CASE.floorSign);
  const goalX = labelWidth + scale(floor * GOALS.warmRatio);
  const rows = bars
    .map((bar, i) => {
      const y = top + i * rowHeight;
      const w = Math.max(1, scale(bar.value));
      return [
        `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeXml(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${bar.color}"/>`,
        `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 16}">${escapeXml(us(bar.value))} (${(bar.value / floor).toFixed(2)}×)</text>`,
      ].join('');
    })
    .join('\n  ');
  const bottom = top + bars.length * rowHeight;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img" aria-label="Per-request cost: floor, this project, the peer">
  <title>Per-request cost (median of ${warm.rounds} rounds, same process, ${escapeXml(report.machine.node)})</title>
  <text x="8" y="18" font-size="13" font-weight="bold">Per-request cost, warm (median µs; × = multiple of one raw RS256 signature)</text>
  ${rows}
  <line x1="${goalX.toFixed(1)}" y1="${top - 2}" x2="${goalX.toFixed(1)}" y2="${bottom + 2}" stroke="#2da44e" stroke-dasharray="4 3"/>
  <text x="${goalX.toFixed(1)}" y="${bottom + 16}" fill="#2da44e" text-anchor="middle">goal ${GOALS.warmRatio}× floor</text>
</svg>
`;
}

/**
 * The radial profile of the star picked with the Star tool (or the r key):
 * every pixel's value against its distance from the refined centre, the
 * fitted Gaussian or Moffat, and the figures — centre, FWHM (also in
 * arcseconds when the WCS gives a pixel scale), background, peak.
 */
import { useEffect, useMemo } from 'react';
import { inspector } from '../../../../workers/inspectorClient';
import { MAX_BETA, type ProfileModel } from '../../../core/display/radial';
import { formatValue } from '../format';
import { currentFrame, useInspector } from '../store';
import { useWcs } from '../useWcs';
import { AXIS, Plot } from './Plot';
import { useAsk } from './useAsk';

export function RadialPanel() {
  const frame = useInspector(currentFrame);
  const star = useInspector((s) => (s.marks.star?.fileId === s.current ? s.marks.star : undefined));
  const model = useInspector((s) => s.profileModel);
  const setModel = useInspector((s) => s.setProfileModel);
  const wcs = useWcs(frame);
  const ref = frame?.info ? { fileId: frame.fileId, image: frame.image, plane: frame.plane, slice: frame.slice } : undefined;
  const answer = useAsk(ref && star ? () => inspector().star(ref, star.x, star.y, model) : undefined, JSON.stringify([ref, star, model]));
  const fit = answer.value;
  useEffect(() => {
    useInspector.setState({ starFit: fit && frame ? { fileId: frame.fileId, x: fit.x, y: fit.y, fwhm: fit.fwhm } : undefined });
  }, [fit, frame?.fileId]); // eslint-disable-line react-hooks/exhaustive-deps
  const figure = useMemo(() => fit && {
    data: [
      { type: 'scatter', mode: 'markers', x: Array.from(fit.profile.r), y: Array.from(fit.profile.value), marker: { size: 4, color: '#5da9e9' }, name: 'pixels', hovertemplate: 'r %{x:.2f}: %{y:.6g}<extra></extra>' },
      { type: 'scatter', mode: 'lines', x: Array.from(fit.curve.r), y: Array.from(fit.curve.value), line: { color: '#f4d35e', width: 2 }, name: fit.model },
    ],
    layout: { xaxis: { ...AXIS, title: { text: 'radius (px)' } }, yaxis: { ...AXIS, title: { text: 'value' } }, showlegend: true, legend: { x: 1, xanchor: 'right', y: 1 } },
  }, [fit]);
  // Pixel scale from the WCS (arcsec per pixel), for the FWHM in arcseconds.
  const scale = wcs ? Math.sqrt(Math.abs(wcs.cd[0] * wcs.cd[3] - wcs.cd[1] * wcs.cd[2])) * 3600 : undefined;
  if (!frame) return null;
  return (
    <div className="panel-body">
      <div className="panel-controls">
        <div className="segmented" role="group" aria-label="Profile model">
          {(['moffat', 'gaussian'] as ProfileModel[]).map((m) => <button key={m} aria-pressed={model === m} onClick={() => setModel(m)}>{m === 'moffat' ? 'Moffat' : 'Gaussian'}</button>)}
        </div>
        {star && <span className="muted small mono">clicked at {(star.x + 1).toFixed(1)}, {(star.y + 1).toFixed(1)}</span>}
      </div>
      {!star && <p className="muted">Click a star with the Star tool, or press r with the pointer on it.</p>}
      {answer.error && <p className="rb-error" role="alert">{answer.error}</p>}
      {star && !answer.busy && !fit && !answer.error && <p className="rb-error" role="alert">No star to fit there (blank sky, the edge, or NaN pixels).</p>}
      {fit && (
        <>
          <table className="stats-table" aria-label="Star measurement" data-x={fit.x + 1} data-y={fit.y + 1} data-fwhm={fit.fwhm}>
            <tbody>
              <tr><th scope="row">centre x, y</th><td className="mono" data-stat="centre">{(fit.x + 1).toFixed(3)}, {(fit.y + 1).toFixed(3)}</td></tr>
              <tr><th scope="row">FWHM</th><td className="mono" data-stat="fwhm">{fit.fwhm.toFixed(3)} px{scale ? ` = ${(fit.fwhm * scale).toFixed(2)}″` : ''}</td></tr>
              <tr><th scope="row">{fit.model === 'moffat' ? 'alpha, beta' : 'sigma'}</th><td className="mono">{fit.model === 'moffat' ? `${fit.alpha!.toFixed(3)}, ${fit.beta! >= MAX_BETA ? `≥ ${MAX_BETA} (Gaussian)` : fit.beta!.toFixed(3)}` : fit.sigma!.toFixed(3)}</td></tr>
              <tr><th scope="row">background</th><td className="mono" data-stat="background">{formatValue(fit.background)}</td></tr>
              <tr><th scope="row">peak above it</th><td className="mono">{formatValue(fit.amplitude)}</td></tr>
              <tr><th scope="row">fit rms</th><td className="mono">{formatValue(fit.rms)}{fit.rejected ? `, ${fit.rejected} outlier${fit.rejected === 1 ? '' : 's'} left out` : ''}</td></tr>
            </tbody>
          </table>
          <Plot data={figure!.data} layout={figure!.layout} label="Radial profile" height={220} />
        </>
      )}
    </div>
  );
}
